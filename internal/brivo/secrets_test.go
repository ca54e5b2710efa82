package brivo

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
)

// lockedBuffer is a goroutine-safe log sink.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestNoSecretOrPersonalDataInErrorsOrLogs(t *testing.T) {
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, simOptions(), WithLogger(logger))
	ctx := ctxT(t)
	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	u := e.mustCreate(t, "entrata-50")
	_, _, err := e.client.Users.Create(ctx, &User{ExternalID: "entrata-50", FirstName: "Avery", LastName: "Stone"})
	note(err)
	e.sim.ExpireTokens()
	e.sim.RevokeRefreshTokens()
	_, _, err = e.client.Users.List(ctx, &ListOptions{Filter: "lastname__eq:Stone"})
	note(err)
	_, _, _, err = e.client.MobilePass.Invite(ctx, u.ID, "")
	note(err)
	e.sim.SetFault("/v1/api/users", brivosim.Fault{Next: 1, Status: 503})
	_, _, err = e.client.Users.Patch(ctx, u.ID, &UserPatch{FirstName: ptr("Avery")})
	note(err)
	for _, creds := range []Credentials{
		{APIKey: "bad-key", ClientID: testCreds.ClientID, ClientSecret: testCreds.ClientSecret, Username: testCreds.Username, Password: testCreds.Password},
		{APIKey: testCreds.APIKey, ClientID: testCreds.ClientID, ClientSecret: testCreds.ClientSecret, Username: testCreds.Username, Password: "bad-pass"},
	} {
		c := newClientFor(t, e.srv.URL, creds, WithLogger(logger))
		note(c.CheckAuth(ctx))
		_, err := c.Users.ListAll(ctx, "firstname__eq:Avery")
		note(err)
	}
	// A transport failure carries the URL; the query (filter with a name) must not.
	dead := newClientFor(t, "http://127.0.0.1:1", testCreds, WithLogger(logger))
	_, err = dead.Users.ListAll(ctx, "firstname__eq:Avery")
	note(err)
	if len(errs) < 6 {
		t.Fatalf("only %d errors exercised", len(errs))
	}

	forbidden := []string{testCreds.APIKey, testCreds.ClientSecret, testCreds.Password, "bad-pass",
		"Bearer ", "Avery", "Stone", "example.com"}
	var texts []string
	for _, err := range errs {
		texts = append(texts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	}
	texts = append(texts, logs.String(), fmt.Sprintf("%v %+v %#v", testCreds, testCreds, testCreds),
		fmt.Sprintf("%v %+v %#v", *u, *u, *u))
	for _, text := range texts {
		for _, secret := range forbidden {
			if strings.Contains(text, secret) {
				t.Errorf("%q leaks into %q", secret, text)
			}
		}
	}
	if !strings.Contains(logs.String(), "refresh") {
		t.Fatalf("expected token refresh to be logged; logs:\n%s", logs.String())
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Invitation already sent to avery.stone@example.com", "Invitation already sent to [redacted]"},
		{"A user cannot be a member of more than 16 groups", "A user cannot be a member of more than 16 groups"},
		{strings.Repeat("x", 400), strings.Repeat("x", 300) + "..."},
	}
	for _, tc := range tests {
		if got := redact(tc.in); got != tc.want {
			t.Errorf("redact(%.40q) = %.60q", tc.in, got)
		}
	}
}
