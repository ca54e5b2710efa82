package brivo

import (
	"strings"
	"testing"
	"time"
)

// A short-lived token is refreshed ahead of expiry (lifetime/2 early, as
// with a 1 s token). 2 s leaves a loaded machine 1 s between the client's
// check and the server's; the loop waits for the refreshes, not a clock.
func TestTokenRefreshedOnExpiryWithShortLifetime(t *testing.T) {
	so := simOptions()
	so.TokenLifetime = 2 * time.Second
	e := newEnv(t, so)
	ctx := ctxT(t)
	deadline := time.Now().Add(15 * time.Second) // ctxT allows 20 s
	calls := 0
	for e.sim.TokenGrants()["refresh_token"] < 3 && time.Now().Before(deadline) {
		if _, err := e.client.Sites.ListAll(ctx); err != nil {
			t.Fatalf("call %d failed: %v", calls, err)
		}
		calls++
		time.Sleep(50 * time.Millisecond)
	}
	grants := e.sim.TokenGrants()
	if grants["password"] != 1 || grants["refresh_token"] < 3 {
		t.Fatalf("grants = %v over %d calls; want 1 password grant and >= 3 refreshes", grants, calls)
	}
	// Refreshing ahead of expiry means the API never refused a token.
	if got := e.sim.Calls()["GET /sites"]; got != calls {
		t.Fatalf("API saw %d calls for %d client calls: some were retried after 401", got, calls)
	}
}

func TestTokenRefreshedAfter401(t *testing.T) {
	tests := []struct {
		name          string
		revokeRefresh bool
		wantGrants    map[string]int
	}{
		{"refresh grant", false, map[string]int{"password": 1, "refresh_token": 1}},
		{"refresh fails, password grant", true, map[string]int{"password": 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, simOptions())
			ctx := ctxT(t)
			if _, err := e.client.Sites.ListAll(ctx); err != nil {
				t.Fatal(err)
			}
			e.sim.ExpireTokens()
			if tc.revokeRefresh {
				e.sim.RevokeRefreshTokens()
			}
			u, _, err := e.client.Users.Create(ctx, &User{ExternalID: "entrata-1", FirstName: "A", LastName: "B"})
			if err != nil || u.ID == 0 {
				t.Fatalf("call after token expiry failed: %v", err)
			}
			if got := e.sim.Calls()["POST /users"]; got != 2 {
				t.Fatalf("POST /users reached the API %d times; want 2 (401, then retry)", got)
			}
			if n := len(e.sim.Users()); n != 1 {
				t.Fatalf("retry created %d users", n)
			}
			grants := e.sim.TokenGrants()
			for k, v := range tc.wantGrants {
				if grants[k] != v {
					t.Fatalf("grants = %v; want %v", grants, tc.wantGrants)
				}
			}
		})
	}
}

func TestAuthFailuresSayWhatToCheck(t *testing.T) {
	tests := []struct {
		name  string
		creds func(c *Credentials)
		want  string
	}{
		{"bad api key", func(c *Credentials) { c.APIKey = "wrong-key" }, "BRIVO_API_KEY"},
		{"bad password", func(c *Credentials) { c.Password = "wrong-pass" }, "BRIVO_USERNAME/BRIVO_PASSWORD"},
		{"bad client secret", func(c *Credentials) { c.ClientSecret = "wrong-secret" }, "BRIVO_CLIENT_ID/BRIVO_CLIENT_SECRET"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, simOptions())
			creds := testCreds
			tc.creds(&creds)
			c := newClientFor(t, e.srv.URL, creds)
			for _, err := range []error{c.CheckAuth(ctxT(t)), func() error { _, err := c.Groups.ListAll(ctxT(t)); return err }()} {
				if err == nil || !IsPermanent(err) || IsRetryable(err) {
					t.Fatalf("err = %v; want permanent", err)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %q; want it to name %s", err, tc.want)
				}
			}
		})
	}
	if err := newEnv(t, simOptions()).client.CheckAuth(ctxT(t)); err != nil {
		t.Fatalf("CheckAuth with good credentials: %v", err)
	}
}

func TestNewClientValidatesOptions(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"no credentials", nil, "BRIVO_API_KEY"},
		{"missing password", []Option{WithCredentials(Credentials{APIKey: "k", ClientID: "i", ClientSecret: "s", Username: "u"})}, "BRIVO_PASSWORD"},
		{"bad base url", []Option{WithCredentials(testCreds), WithBaseURL("not a url")}, "base URL"},
		{"zero rate", []Option{WithCredentials(testCreds), WithRateLimit(0)}, "rate limit"},
		{"negative timeout", []Option{WithCredentials(testCreds), WithTimeout(-1)}, "timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want mention of %q", err, tc.want)
			}
			if strings.Contains(err.Error(), testCreds.Password) {
				t.Fatal("error leaks a secret")
			}
		})
	}
	c, err := NewClient(WithCredentials(testCreds))
	if err != nil || c.baseURL.String() != DefaultBaseURL || c.http.Timeout != DefaultTimeout {
		t.Fatalf("defaults: %v, %v", c, err)
	}
}
