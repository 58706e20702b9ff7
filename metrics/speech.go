package metrics

import "github.com/prometheus/client_golang/prometheus"

// SpeechCounter counts voice messages sent for transcription, by driver and
// outcome (ok, empty, timeout, unavailable, quota, auth, unreadable, download_failed).
type SpeechCounter struct{ c *prometheus.CounterVec }

// Speech registers familybot_speech_total. The series of driver and each of
// outcomes start at 0, so a rate of failures is defined from the first scrape.
func (m *Metrics) Speech(driver string, outcomes []string) *SpeechCounter {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "familybot_speech_total", Help: "Voice messages without WeChat's text, by speech driver and outcome of the download and recognition.",
	}, []string{"driver", "outcome"})
	m.Registry.MustRegister(c)
	for _, o := range outcomes {
		c.WithLabelValues(driver, o)
	}
	return &SpeechCounter{c: c}
}

// Observe counts one voice message (speech.Voice.Observe).
func (s *SpeechCounter) Observe(driver, outcome string) {
	s.c.WithLabelValues(driver, outcome).Inc()
}
