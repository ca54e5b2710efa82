package brivosim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for timelines.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func testOptions() Options {
	return Options{APIKey: "k", ClientID: "cid", ClientSecret: "csecret", Username: "admin", Password: "pw"}
}

// token gets an access token through the handler.
func token(t *testing.T, h http.Handler) string {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {"admin"}, "password": {"pw"}}
	req := httptest.NewRequest("POST", "/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("api-key", "k")
	req.SetBasicAuth("cid", "csecret")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	return body.AccessToken
}

// call sends an authenticated API request (a fresh token each time, so a
// fake clock can jump freely) and returns status and body.
func call(t *testing.T, h http.Handler, method, path string, body any) (int, string) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, APIPrefix+path, rd)
	req.Header.Set("api-key", "k")
	req.Header.Set("Authorization", "Bearer "+token(t, h))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// mustCall is call that fails the test on a non-2xx status and decodes v.
func mustCall(t *testing.T, h http.Handler, method, path string, body, v any) {
	t.Helper()
	code, resp := call(t, h, method, path, body)
	if code/100 != 2 {
		t.Fatalf("%s %s = %d %s", method, path, code, resp)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(resp), v); err != nil {
			t.Fatalf("decode %s: %v", resp, err)
		}
	}
}
