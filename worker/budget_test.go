package main

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// The in-process Entrata budget makes callers wait rather than exceed it:
// at 1,200 calls a minute (20/s, burst 60), 100 calls cannot finish before
// the 40 beyond the burst have waited 2 s, and none fails.
func TestBudgetTransportWaitsInsteadOfExceeding(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Add(1) }))
	defer srv.Close()
	c := &http.Client{Transport: newBudgetTransport(1200, http.DefaultTransport)}
	start := time.Now()
	for i := 0; i < 100; i++ {
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatalf("call %d failed: %v", i, err)
		}
		resp.Body.Close()
	}
	if took := time.Since(start); took < 1900*time.Millisecond {
		t.Fatalf("100 calls took %s: the budget of 20/s with a burst of 60 was exceeded", took)
	}
	if served.Load() != 100 {
		t.Fatalf("served %d calls, want 100", served.Load())
	}
}
