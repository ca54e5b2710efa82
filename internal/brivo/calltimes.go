package brivo

import (
	"context"
	"sync"
	"time"
)

// CallTimes adds up where the Brivo calls made with one context spent their
// time: waiting for a slot of the process's rate (the gate, which includes
// any hold after the gateway throttled, and getting an access token) and in
// flight (the HTTP exchange).
// A slow transition is explained by it: a worker on a small lease waits,
// a slow gateway answers late.
type CallTimes struct {
	mu       sync.Mutex
	calls    int
	waited   time.Duration
	inFlight time.Duration
	longest  time.Duration // the longest single wait
	rate     float64       // the process's rate when that wait ended
}

// CallTimesSummary is a CallTimes read at one moment.
type CallTimesSummary struct {
	Calls    int
	Waited   time.Duration
	InFlight time.Duration
	// LongestWait is the longest single wait for a slot, and RateThen the
	// process's rate (requests/s) when it ended.
	LongestWait time.Duration
	RateThen    float64
}

type callTimesKey struct{}

// WithCallTimes returns a context whose Brivo calls add their times to the
// returned CallTimes (and to any CallTimes of ctx's parents).
func WithCallTimes(ctx context.Context) (context.Context, *CallTimes) {
	ct := &CallTimes{}
	parents, _ := ctx.Value(callTimesKey{}).([]*CallTimes)
	return context.WithValue(ctx, callTimesKey{}, append(parents[:len(parents):len(parents)], ct)), ct
}

// CallTimesOf returns the innermost CallTimes of ctx, or nil.
func CallTimesOf(ctx context.Context) *CallTimes {
	all, _ := ctx.Value(callTimesKey{}).([]*CallTimes)
	if len(all) == 0 {
		return nil
	}
	return all[len(all)-1]
}

// Summary reads the times added so far (none for a nil CallTimes).
func (ct *CallTimes) Summary() CallTimesSummary {
	if ct == nil {
		return CallTimesSummary{}
	}
	ct.mu.Lock()
	defer ct.mu.Unlock()
	return CallTimesSummary{Calls: ct.calls, Waited: ct.waited, InFlight: ct.inFlight, LongestWait: ct.longest, RateThen: ct.rate}
}

// recordCall adds one call's times to every CallTimes of ctx.
func recordCall(ctx context.Context, waited, inFlight time.Duration, rateThen float64) {
	all, _ := ctx.Value(callTimesKey{}).([]*CallTimes)
	for _, ct := range all {
		ct.mu.Lock()
		ct.calls++
		ct.waited += waited
		ct.inFlight += inFlight
		if waited >= ct.longest {
			ct.longest, ct.rate = waited, rateThen
		}
		ct.mu.Unlock()
	}
}
