package main

// How events are shown on the command line: a table, or JSON with --json.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"familybot/models"
	"familybot/signup"
)

func showEvent(ctx context.Context, env *Env, app *App, v signup.EventView) error {
	fmt.Fprintf(env.Stdout, "【%d】%s（%s，%s）\n时间：%s\n地点：%s\n", v.ID, v.Title, models.EventCategories[v.Category], evStatusName(v.Status), signup.FormatWhen(v.Event), v.Place)
	if v.ForChild {
		fmt.Fprintf(env.Stdout, "儿童年龄：%s\n", signup.AgeRange(v.Event))
	}
	fmt.Fprintf(env.Stdout, "名额 %d：已确认 %d，候补 %d/%d，已取消 %d，已签到 %d\n", v.Capacity, v.Confirmed, v.Waitlisted, v.WaitlistCap, v.Cancelled, v.CheckedIn)
	rows, err := app.Signups.Roster(ctx, v.ID, false)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "报名号\t状态\t参加人\t手机\t签到码\t签到")
	for _, r := range rows {
		status := signup.StatusName(r.Status)
		if r.Position > 0 {
			status += strconv.Itoa(r.Position)
		}
		in := ""
		if r.CheckedInAt != nil {
			in = "✓"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, status, r.Attendee(), r.Phone, r.CheckinCode, in)
	}
	return tw.Flush()
}

// eventJSON is the --json shape of an event (times in Beijing time).
type eventJSON struct {
	ID             uint               `json:"id"`
	Title          string             `json:"title"`
	Category       string             `json:"category"`
	Status         models.EventStatus `json:"status"`
	Start          string             `json:"start"`
	End            string             `json:"end,omitempty"`
	CancelDeadline string             `json:"cancel_deadline"`
	Place          string             `json:"place"`
	Audience       string             `json:"audience,omitempty"`
	Bring          string             `json:"bring,omitempty"`
	Capacity       int                `json:"capacity"`
	Waitlist       int                `json:"waitlist"`
	ForChild       bool               `json:"for_child"`
	ChildAgeMin    int                `json:"child_age_min_months,omitempty"`
	ChildAgeMax    int                `json:"child_age_max_months,omitempty"`
	Confirmed      int                `json:"confirmed"`
	Waitlisted     int                `json:"waitlisted"`
	Cancelled      int                `json:"cancelled"`
	CheckedIn      int                `json:"checked_in"`
	PlacesLeft     int                `json:"places_left"`
}

func eventJSONOf(v signup.EventView) eventJSON {
	local := func(t time.Time) string { return t.In(models.Beijing).Format("2006-01-02 15:04") }
	j := eventJSON{ID: v.ID, Title: v.Title, Category: v.Category, Status: v.Status, Start: local(v.StartAt),
		CancelDeadline: local(v.CancelBy()), Place: v.Place, Audience: v.Audience, Bring: v.Bring,
		Capacity: v.Capacity, Waitlist: v.WaitlistCap, ForChild: v.ForChild, ChildAgeMin: v.ChildAgeMinMonths, ChildAgeMax: v.ChildAgeMaxMonths,
		Confirmed: v.Confirmed, Waitlisted: v.Waitlisted, Cancelled: v.Cancelled, CheckedIn: v.CheckedIn, PlacesLeft: v.PlacesLeft()}
	if v.EndAt != nil {
		j.End = local(*v.EndAt)
	}
	return j
}

func evPrintJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

func evStatusName(s models.EventStatus) string {
	switch s {
	case models.EventDraft:
		return "草稿"
	case models.EventOpen:
		return "报名中"
	case models.EventCancelled:
		return "已取消"
	}
	return string(s)
}

// evErrMessage shows a domain error's safe message, anything else as is.
func evErrMessage(err error) string {
	var de *models.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return err.Error()
}
