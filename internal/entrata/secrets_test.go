package entrata_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/entratasim"
)

// syncBuffer is a bytes.Buffer safe for a logger used from several calls.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSecretsNeverLeak drives every method, success and failure, in both
// auth modes, including a server that echoes the credentials in its error
// message, and checks every error string, log line and String() output.
func TestSecretsNeverLeak(t *testing.T) {
	env := newSimEnv(t, map[string]string{"*": "1000/hour;20/minute"}, entratasim.GenOptions{Seed: 2, UnitsPerProperty: 8})
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"response":{"error":{"code":301,"message":"bad key %s or password %s for %s"}}}`, r.Header.Get("X-Api-Key"), pass, user)
	}))
	t.Cleanup(echo.Close)

	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var texts []string
	record := func(err error) {
		if err != nil {
			texts = append(texts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
		}
	}
	ctx := context.Background()
	clients := []struct {
		name string
		opts []entrata.Option
	}{
		{"apikey", []entrata.Option{entrata.WithBaseURL(env.apiKeyURL), entrata.WithAPIKey(testKey)}},
		{"basic", []entrata.Option{entrata.WithBaseURL(env.basicURL), entrata.WithBasicAuth(testUser, testPassword)}},
		{"wrong key", []entrata.Option{entrata.WithBaseURL(env.apiKeyURL), entrata.WithAPIKey(testKey + "x")}},
		{"wrong password", []entrata.Option{entrata.WithBaseURL(env.basicURL), entrata.WithBasicAuth(testUser, testPassword+"x")}},
		{"echo key", []entrata.Option{entrata.WithBaseURL(echo.URL + "/api/v1"), entrata.WithAPIKey(testKey)}},
		{"echo password", []entrata.Option{entrata.WithBaseURL(echo.URL + "/api/v1"), entrata.WithBasicAuth(testUser, testPassword)}},
		{"unreachable", []entrata.Option{entrata.WithBaseURL("http://127.0.0.1:1/api/v1"), entrata.WithBasicAuth(testUser, testPassword)}},
	}
	for _, cc := range clients {
		c, err := entrata.NewClient(append(cc.opts, entrata.WithLogger(logger), entrata.WithPerPage(5))...)
		if err != nil {
			t.Fatalf("%s: %v", cc.name, err)
		}
		texts = append(texts, c.String(), fmt.Sprint(c))
		_, err = c.GetStatus(ctx)
		record(err)
		_, _, err = c.GetProperties(ctx)
		record(err)
		_, _, err = c.GetPropertyUnits(ctx, "100")
		record(err)
		env.sim.SetFault("leases", entratasim.Fault{MalformedNext: 1})
		_, problems, _, err := c.GetLeases(ctx, entrata.LeaseQuery{PropertyID: "100"})
		record(err)
		for _, p := range problems {
			texts = append(texts, p.Error())
		}
		_, _, err = c.GetExpiringLeases(ctx, "100", today, today.AddDays(60))
		record(err)
		env.sim.SetFault("*", entratasim.Fault{FailNext: 1, Status: 503})
		_, err = c.GetStatus(ctx)
		record(err)
		env.sim.ClearFaults()
	}
	_, err := entrata.NewClient(entrata.WithBaseURL("https://user:"+testPassword+"@x.test/api/v1"), entrata.WithAPIKey(testKey))
	record(err)

	all := strings.Join(texts, "\n") + "\n" + logs.String()
	if !strings.Contains(logs.String(), `"service":"leases"`) || !strings.Contains(all, "authentication failed") {
		t.Fatalf("the test did not exercise logging and failures:\n%s", all)
	}
	basic := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPassword))
	for _, secret := range []string{testKey, testPassword, basic} {
		if strings.Contains(all, secret) {
			t.Errorf("secret %q leaked:\n%s", secret, all)
		}
	}
	if !strings.Contains(all, "[REDACTED]") {
		t.Error("the echoing server's message was not redacted")
	}
}
