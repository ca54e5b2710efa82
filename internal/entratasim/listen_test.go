package entratasim

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestListenAndServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var logs bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- ListenAndServe(ctx, addr, Options{APIKey: key, Org: "acme"}, GenOptions{Seed: 1, Properties: 2, UnitsPerProperty: 10},
			slog.New(slog.NewTextHandler(&logs, nil)))
	}()
	body := `{"auth":{"type":"apikey"},"requestId":"42","method":{"name":"getLeases","version":"r2","params":{"propertyId":"100"}}}`
	var resp *http.Response
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/ext/orgs/acme/v1/leases?page_no=1&per_page=5", strings.NewReader(body))
		req.Header.Set("X-Api-Key", key)
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Response struct {
			RequestID string `json:"requestId"`
			Result    struct {
				Leases struct {
					Lease []json.RawMessage `json:"lease"`
				} `json:"leases"`
			} `json:"result"`
		} `json:"response"`
	}
	err = json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if err != nil || env.Response.RequestID != "42" || len(env.Response.Result.Leases.Lease) != 5 || resp.Header.Get("X-Total-Count") == "" {
		t.Fatalf("page: %v %+v", err, env)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe: %v", err)
	}
	if strings.Contains(logs.String(), key) || !strings.Contains(logs.String(), "/ext/orgs/acme/v1") {
		t.Errorf("logs: %s", logs.String())
	}
}
