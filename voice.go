package main

import (
	"familybot/metrics"
	"familybot/speech"
	"familybot/wechat"
)

// wireVoice gives the engine its speech recogniser (speech.driver): voice
// messages without WeChat's text are downloaded through client and transcribed;
// each outcome is counted, and failures are logged by outcome and code only.
func wireVoice(app *App, client *wechat.Client, m *metrics.Metrics) error {
	cfg := app.Cfg.Speech
	counter := m.Speech(cfg.Driver, speech.Outcomes)
	if cfg.Driver == "none" {
		return nil // the engine asks the resident to type or answer with a digit
	}
	rec, err := speech.New(cfg, nil)
	if err != nil {
		return err
	}
	app.Engine.Voice = &speech.Voice{Fetch: client, Rec: rec, Driver: cfg.Driver, Timeout: cfg.Timeout,
		Observe: func(driver, outcome string, err error) {
			counter.Observe(driver, outcome)
			if err != nil { // *speech.Error: outcome and code, never audio or words
				app.Log.Warn("voice message not transcribed", "driver", driver, "outcome", outcome, "err", err.Error())
			}
		}}
	return nil
}
