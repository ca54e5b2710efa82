package main

import (
	"net/http"

	"golang.org/x/time/rate"
)

// budgetTransport holds this process's Entrata calls to the per-minute
// budget. The server-side rate of the Entrata task queue shares the budget
// across workers; this is the hard ceiling inside one process, so a fetch
// that makes more calls than usual waits instead of exceeding it.
type budgetTransport struct {
	limiter *rate.Limiter
	next    http.RoundTripper
}

func newBudgetTransport(perMinute int, next http.RoundTripper) http.RoundTripper {
	burst := max(1, perMinute/20) // at most 3 s worth of calls at once
	return &budgetTransport{limiter: rate.NewLimiter(rate.Limit(float64(perMinute)/60), burst), next: next}
}

func (t *budgetTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := t.limiter.Wait(r.Context()); err != nil {
		return nil, err
	}
	return t.next.RoundTrip(r)
}
