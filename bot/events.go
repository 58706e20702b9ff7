package bot

import (
	"context"
	"strings"

	"familybot/models"
)

// SceneFunc handles a QR-code scene (a SCAN event, or subscribe through a QR code).
type SceneFunc func(ctx context.Context, e *Engine, in Inbound, scene string) Reply

func (e *Engine) handleEvent(ctx context.Context, in Inbound) Reply {
	switch strings.ToLower(in.Event) {
	case "subscribe":
		_ = e.Store.SetSubscribed(ctx, in.OpenID, true)
		welcome := e.fill(msgWelcome)
		if w := e.ruleText(ctx, models.RuleWelcome); w != "" { // the console's 被关注回复, imported
			welcome = e.fill(w) + "\n\n" + e.fill(msgHelp)
		}
		if scene := strings.TrimPrefix(in.EventKey, "qrscene_"); scene != "" && scene != in.EventKey {
			if r, ok := e.scene(ctx, in, scene); ok {
				r.Text = welcome + "\n\n" + r.Text
				return r
			}
		}
		return Reply{Text: welcome, Route: models.RouteEvent}
	case "unsubscribe":
		_ = e.Store.SetSubscribed(ctx, in.OpenID, false)
		e.EndFlow(ctx, in.OpenID)
		return Reply{Silent: true, Route: models.RouteEvent}
	case "click":
		if r, ok := e.menuKey(ctx, in, in.EventKey); ok {
			return r
		}
		return Reply{Text: e.fill(msgHelp), Route: models.RouteCommand}
	case "scan":
		if r, ok := e.scene(ctx, in, in.EventKey); ok {
			return r
		}
		return Reply{Text: e.fill(msgHelp), Route: models.RouteEvent}
	}
	// VIEW (a menu link was opened), LOCATION, template/mass-send reports, anything unknown.
	return Reply{Silent: true, Route: models.RouteEvent}
}

func (e *Engine) scene(ctx context.Context, in Inbound, scene string) (Reply, bool) {
	for prefix, fn := range scenes {
		if strings.HasPrefix(scene, prefix) {
			r := fn(ctx, e, in, scene)
			if r.Route == "" {
				r.Route = models.RouteEvent
			}
			return r, true
		}
	}
	return Reply{}, false
}
