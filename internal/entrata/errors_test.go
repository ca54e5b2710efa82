package entrata

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestParseRateLimit(t *testing.T) {
	h := http.Header{}
	h.Set("X-Ratelimit-Limit", "10000/day;1000/hour;300/minute")
	h.Set("X-Ratelimit-Remaining", "9990/day;990/hour;0/minute")
	h.Set("X-Ratelimit-Reset", "34681;2281;17")
	rl := parseRateLimit(h)
	want := []RateWindow{{"day", 10000, 9990, 34681 * time.Second}, {"hour", 1000, 990, 2281 * time.Second}, {"minute", 300, 0, 17 * time.Second}}
	if len(rl.Windows) != 3 {
		t.Fatalf("windows = %+v", rl.Windows)
	}
	for i, w := range want {
		if rl.Windows[i] != w {
			t.Errorf("window %d = %+v, want %+v", i, rl.Windows[i], w)
		}
	}
	if rl.Remaining() != 0 || !rl.Exhausted() || rl.ResetIn() != 17*time.Second {
		t.Errorf("Remaining %d, Exhausted %v, ResetIn %s", rl.Remaining(), rl.Exhausted(), rl.ResetIn())
	}
	h.Set("X-Ratelimit-Remaining", "9990/day;12/hour;40/minute")
	if rl := parseRateLimit(h); rl.Remaining() != 12 || rl.Exhausted() || rl.ResetIn() != 2281*time.Second {
		t.Errorf("not exhausted: Remaining %d, ResetIn %s", rl.Remaining(), rl.ResetIn())
	}
	if rl := parseRateLimit(http.Header{}); rl.Remaining() != -1 || rl.Exhausted() || rl.ResetIn() != 0 {
		t.Errorf("no headers: %+v", rl)
	}
}

func quotaHeaders(w http.ResponseWriter, remaining, reset string) {
	w.Header().Set("X-Ratelimit-Limit", "8640/day;360/hour;6/minute")
	w.Header().Set("X-Ratelimit-Remaining", remaining)
	w.Header().Set("X-Ratelimit-Reset", reset)
}

func TestCheckResponseClassification(t *testing.T) {
	tests := []struct {
		name      string
		reply     func(w http.ResponseWriter)
		retryable bool
		permanent bool
		check     func(t *testing.T, err error)
	}{
		{"429 with reset headers", func(w http.ResponseWriter) {
			quotaHeaders(w, "8000/day;300/hour;0/minute", "5000;2000;42")
			writeBody(w, 429, []byte(`{"response":{"requestId":"1","error":{"code":429,"message":"rate limit"}}}`))
		}, true, false, func(t *testing.T, err error) {
			if d, ok := RetryAfter(err); !ok || d != 42*time.Second {
				t.Errorf("RetryAfter = %s, %v", d, ok)
			}
		}},
		{"429 with Retry-After only", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "90")
			writeBody(w, 429, []byte(`too many`))
		}, true, false, func(t *testing.T, err error) {
			if d, _ := RetryAfter(err); d != 90*time.Second {
				t.Errorf("RetryAfter = %s", d)
			}
		}},
		{"error envelope with exhausted headers", func(w http.ResponseWriter) {
			quotaHeaders(w, "0/day;0/hour;0/minute", "3600;1800;30")
			writeBody(w, 200, []byte(`{"response":{"requestId":"1","error":{"code":999,"message":"quota"}}}`))
		}, true, false, func(t *testing.T, err error) {
			if d, _ := RetryAfter(err); d != time.Hour {
				t.Errorf("RetryAfter = %s, want the longest exhausted window", d)
			}
		}},
		{"error envelope with HTTP 200", func(w http.ResponseWriter) {
			writeBody(w, 200, readTestdata(t, "entrata-error.json"))
		}, false, true, func(t *testing.T, err error) {
			var er *ErrorResponse
			if !errors.As(err, &er) || er.HTTPStatus != 200 || er.Code != 301 || er.Message != "Invalid parameter: propertyId is required." || er.RequestID != "15" {
				t.Errorf("err = %#v", err)
			}
		}},
		{"error as a bare string", func(w http.ResponseWriter) {
			writeBody(w, 200, []byte(`{"response":{"requestId":2,"error":"Method not found"}}`))
		}, false, true, nil},
		{"500 HTML", func(w http.ResponseWriter) { writeBody(w, 500, []byte(`<html>oops</html>`)) }, true, false, func(t *testing.T, err error) {
			var er *ErrorResponse
			if !errors.As(err, &er) || er.HTTPStatus != 500 {
				t.Errorf("err = %#v", err)
			}
		}},
		{"503", func(w http.ResponseWriter) { writeBody(w, 503, nil) }, true, false, nil},
		{"envelope code 5xx", func(w http.ResponseWriter) {
			writeBody(w, 200, []byte(`{"response":{"error":{"code":"500","message":"internal"}}}`))
		}, true, false, nil},
		{"401", func(w http.ResponseWriter) {
			writeBody(w, 401, []byte(`{"response":{"error":{"code":113,"message":"Username and/or password is incorrect."}}}`))
		}, false, true, func(t *testing.T, err error) {
			var ae *AuthError
			var er *ErrorResponse
			if !errors.As(err, &ae) || !errors.As(err, &er) || er.Code != 113 {
				t.Errorf("err = %#v", err)
			}
		}},
		{"403 without body", func(w http.ResponseWriter) { writeBody(w, 403, nil) }, false, true, nil},
		{"HTML with 200", func(w http.ResponseWriter) { writeBody(w, 200, []byte(`<html>maintenance</html>`)) }, false, false, func(t *testing.T, err error) {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Errorf("err = %#v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, body requestBody) { tt.reply(w) })
			var outcomes []string
			c := f.client(WithCallObserver(func(service, method, out string) { outcomes = append(outcomes, service+"/"+method+"/"+out) }))
			_, err := c.GetStatus(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			if IsRetryable(err) != tt.retryable || IsPermanent(err) != tt.permanent {
				t.Errorf("retryable %v permanent %v, want %v %v: %v", IsRetryable(err), IsPermanent(err), tt.retryable, tt.permanent, err)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
			if len(outcomes) != 1 || outcomes[0] != "status/getStatus/"+outcome(err) {
				t.Errorf("observer saw %v", outcomes)
			}
		})
	}
}

func TestExhaustedHeadersBlockTheNextCall(t *testing.T) {
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body requestBody) {
		quotaHeaders(w, "8000/day;300/hour;0/minute", "5000;2000;20")
		writeBody(w, 200, []byte(`{"response":{"requestId":"1","code":200,"result":{"status":"Success"}}}`))
	})
	c := f.client(WithClock(func() time.Time { return now }))
	ctx := context.Background()
	resp, err := c.GetStatus(ctx)
	if err != nil || resp.RateLimit.Remaining() != 0 {
		t.Fatalf("first call: %v, %+v", err, resp)
	}
	_, err = c.GetStatus(ctx)
	if d, ok := RetryAfter(err); !ok || d != 20*time.Second || f.hits.Load() != 1 {
		t.Fatalf("second call: %v (retry %s), server hits %d", err, d, f.hits.Load())
	}
	now = now.Add(21 * time.Second)
	if _, err := c.GetStatus(ctx); err != nil || f.hits.Load() != 2 {
		t.Fatalf("after the reset: %v, hits %d", err, f.hits.Load())
	}
}

func TestTransportErrorIsRetryable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	c, err := NewClient(WithBaseURL(base+"/api/v1"), WithBasicAuth("u", fakePassword), WithTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetStatus(context.Background())
	var te *TransportError
	if !errors.As(err, &te) || !IsRetryable(err) || IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.GetStatus(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: %v", err)
	}
}

func TestNewClientValidation(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		ok   bool
	}{
		{"apikey", []Option{WithBaseURL("https://apis.entrata.com/ext/orgs/acme/v1"), WithAPIKey("k")}, true},
		{"basic", []Option{WithBaseURL("https://acme.entrata.com/api/v1/"), WithBasicAuth("u", "p")}, true},
		{"no base", []Option{WithAPIKey("k")}, false},
		{"no credentials", []Option{WithBaseURL("https://x.test/api/v1")}, false},
		{"both credentials", []Option{WithBaseURL("https://x.test/api/v1"), WithAPIKey("k"), WithBasicAuth("u", "p")}, false},
		{"credentials in URL", []Option{WithBaseURL("https://u:p@x.test/api/v1"), WithAPIKey("k")}, false},
		{"bad scheme", []Option{WithBaseURL("ftp://x.test/api/v1"), WithAPIKey("k")}, false},
		{"per page too small", []Option{WithBaseURL("https://x.test/api/v1"), WithAPIKey("k"), WithPerPage(4)}, false},
		{"per page too large", []Option{WithBaseURL("https://x.test/api/v1"), WithAPIKey("k"), WithPerPage(1001)}, false},
		{"zero timeout", []Option{WithBaseURL("https://x.test/api/v1"), WithAPIKey("k"), WithTimeout(0)}, false},
		{"nil http client", []Option{WithBaseURL("https://x.test/api/v1"), WithAPIKey("k"), WithHTTPClient(nil)}, false},
		{"empty password", []Option{WithBaseURL("https://x.test/api/v1"), WithBasicAuth("u", "")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.opts...)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok %v", err, tt.ok)
			}
			if err == nil && c.httpClient.Timeout != defaultTimeout {
				t.Errorf("default timeout = %s", c.httpClient.Timeout)
			}
		})
	}
}
