package brivo

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
)

var testCreds = Credentials{
	APIKey: "key-s3cr3t-api", ClientID: "client-id-xyz", ClientSecret: "client-s3cr3t",
	Username: "admin-user", Password: "pa55w0rd-s3cr3t",
}

func simOptions() brivosim.Options {
	return brivosim.Options{
		APIKey: testCreds.APIKey, ClientID: testCreds.ClientID, ClientSecret: testCreds.ClientSecret,
		Username: testCreds.Username, Password: testCreds.Password,
	}
}

// env is a simulator on a real loopback HTTP server and a client for it.
type env struct {
	sim    *brivosim.Server
	srv    *httptest.Server
	client *Client
	demo   brivosim.DemoSite
}

func newEnv(t *testing.T, so brivosim.Options, opts ...Option) *env {
	t.Helper()
	sim := brivosim.New(so)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	e := &env{sim: sim, srv: srv, demo: sim.SeedDemo("Test Site", 3)}
	e.client = newClientFor(t, srv.URL, testCreds, opts...)
	return e
}

func newClientFor(t *testing.T, url string, creds Credentials, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{
		WithBaseURL(url + "/v1/api"), WithAuthURL(url), WithCredentials(creds),
		WithRateLimit(1000), WithTimeout(5 * time.Second),
	}, opts...)
	c, err := NewClient(all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mustCreate creates a resident-like user.
func (e *env) mustCreate(t *testing.T, ext string) *User {
	t.Helper()
	u, _, err := e.client.Users.Create(ctxT(t), &User{
		ExternalID: ext, FirstName: "Avery", LastName: "Stone",
		Emails: []Email{{Address: "avery.stone@example.com", Type: "home"}},
	})
	if err != nil {
		t.Fatalf("create %s: %v", ext, err)
	}
	return u
}

func ptr[T any](v T) *T { return &v }
