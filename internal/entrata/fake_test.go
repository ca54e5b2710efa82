package entrata

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
)

const (
	fakeKey      = "sk-fake-SECRET-0042"
	fakePassword = "pw-fake-SECRET-0042"
)

// fakeEntrata is an httptest server whose answers the test scripts; it
// checks that every request is a well-formed Entrata call.
type fakeEntrata struct {
	t     *testing.T
	srv   *httptest.Server
	hits  atomic.Int32
	reply func(w http.ResponseWriter, r *http.Request, body requestBody)
}

func newFake(t *testing.T, reply func(w http.ResponseWriter, r *http.Request, body requestBody)) *fakeEntrata {
	t.Helper()
	f := &fakeEntrata{t: t, reply: reply}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		var body requestBody
		raw, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || json.Unmarshal(raw, &body) != nil || body.Method.Name == "" || body.Auth.Type == "" {
			t.Errorf("malformed request: %s %s %s", r.Method, r.URL, raw)
		}
		f.reply(w, r, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeEntrata) client(opts ...Option) *Client {
	f.t.Helper()
	c, err := NewClient(append([]Option{WithBaseURL(f.srv.URL + "/api/v1"), WithBasicAuth("u", fakePassword)}, opts...)...)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
