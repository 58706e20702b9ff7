package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"familybot/store/storetest"
)

func TestHealthzAndMounts(t *testing.T) {
	st := storetest.SQLite(t)
	hook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hook:" + r.Method)) })
	s := withServices(&Server{Webhook: hook}, st)
	r := s.Router()
	get := func(method, path string) (int, string) {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get("GET", "/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("healthz %d %s", code, body)
	}
	if code, body := get("POST", "/wechat"); code != 200 || body != "hook:POST" {
		t.Fatalf("webhook POST %d %s", code, body)
	}
	if code, body := get("GET", "/wechat"); code != 200 || body != "hook:GET" {
		t.Fatalf("webhook GET %d %s", code, body)
	}
	if code, _ := get("DELETE", "/wechat"); code != 405 {
		t.Fatalf("DELETE %d", code)
	}
	// /metrics has its own listener (server.metrics_addr): never on the public one.
	if code, _ := get("GET", "/metrics"); code != 404 {
		t.Fatalf("metrics on the main listener: %d", code)
	}
	// The database goes away: /healthz says what is wrong, with a 503.
	s.Health = func(context.Context) map[string]string { return map[string]string{"redis": "unreachable"} }
	st.Close()
	if code, body := get("GET", "/healthz"); code != 503 || !strings.Contains(body, "database") || !strings.Contains(body, "redis") {
		t.Fatalf("unhealthy %d %s", code, body)
	}
}
