package brivosim

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Fault is an injected misbehaviour for requests whose path starts with a
// prefix (the full request path, e.g. "/v1/api/users" or "/oauth/token").
type Fault struct {
	// Next is how many of the next matching requests fail with Status.
	Next int `json:"next"`
	// Status is 503, 429 or 403 (403 answers Developer Over Qps).
	Status int `json:"status"`
	// OverQps forces the 403 "Developer Over Qps" body whatever Status is.
	OverQps bool `json:"overQps"`
	// RetryAfter is sent in the Retry-After header (rounded up to seconds;
	// at least 1 s).
	RetryAfter time.Duration `json:"retryAfter"`
	// Latency is added to every matching request while the fault is set.
	Latency time.Duration `json:"latency"`
}

type opsState struct {
	calls  map[string]int
	faults map[string]*Fault
}

// rateState is the gateway's rate ceiling. It has its own lock: Mashery
// counts a call when it reaches the edge, before the backend, so a handler
// holding the server's lock must not delay the count (calls queued behind
// it would be stamped together and look like a burst that never was).
type rateState struct {
	mu      sync.Mutex
	ceiling int
	// recent holds the arrival times of accepted calls over the last two
	// seconds, in order (calls may reach the check slightly out of order).
	recent []time.Time
	// refused counts the calls refused with Over Qps because they exceeded
	// the ceiling (injected faults are not counted).
	refused int
}

func newOpsState() opsState {
	return opsState{calls: map[string]int{}, faults: map[string]*Fault{}}
}

func (o *opsState) count(key string) { o.calls[key]++ }

// Calls returns how many requests arrived, keyed "METHOD /path-template"
// (e.g. "GET /users/{id}"; the token endpoint is "POST /oauth/token").
// Every request counts, including those answered with an error.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.ops.calls))
	for k, v := range s.ops.calls {
		out[k] = v
	}
	return out
}

// ResetCalls zeroes the call counts and the Over Qps count.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	clear(s.ops.calls)
	s.mu.Unlock()
	s.rate.mu.Lock()
	s.rate.refused = 0
	s.rate.mu.Unlock()
}

// OverCeiling returns how many calls the rate ceiling refused with
// 403 Developer Over Qps since the last ResetCalls.
func (s *Server) OverCeiling() int {
	s.rate.mu.Lock()
	defer s.rate.mu.Unlock()
	return s.rate.refused
}

// SetFault sets (replaces) the fault for a path prefix.
func (s *Server) SetFault(pathPrefix string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops.faults[pathPrefix] = &f
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.ops.faults)
}

// SetRateCeiling makes the API answer 403 Developer Over Qps (Retry-After:
// 1) to calls beyond perSecond in any sliding second; 0 removes it.
func (s *Server) SetRateCeiling(perSecond int) {
	s.rate.mu.Lock()
	defer s.rate.mu.Unlock()
	s.rate.ceiling = perSecond
	s.rate.recent = nil
}

// overCeiling records an API call that arrived at the given instant and
// reports whether it exceeds the rate ceiling: whether some one-second
// window holding it would hold more than the ceiling's accepted calls
// (the strictest reading of "per second": sliding, not per calendar
// second).
func (s *Server) overCeiling(arrived time.Time) bool {
	r := &s.rate
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ceiling <= 0 {
		return false
	}
	if n := len(r.recent); n > 0 {
		newest := r.recent[n-1]
		if arrived.After(newest) {
			newest = arrived
		}
		cut, _ := slices.BinarySearchFunc(r.recent, newest.Add(-2*time.Second), time.Time.Compare)
		r.recent = r.recent[cut:]
	}
	at, _ := slices.BinarySearchFunc(r.recent, arrived, time.Time.Compare)
	// inWindow counts the accepted calls in (end-1s, end], this one included.
	inWindow := func(end time.Time) int {
		lo, _ := slices.BinarySearchFunc(r.recent, end.Add(-time.Second), time.Time.Compare)
		for lo < len(r.recent) && !r.recent[lo].After(end.Add(-time.Second)) {
			lo++
		}
		hi, _ := slices.BinarySearchFunc(r.recent, end, time.Time.Compare)
		for hi < len(r.recent) && !r.recent[hi].After(end) {
			hi++
		}
		return hi - lo + 1
	}
	// The windows holding this call end at it or at a later accepted call
	// less than a second after it.
	over := inWindow(arrived) > r.ceiling
	for i := at; !over && i < len(r.recent) && r.recent[i].Sub(arrived) < time.Second; i++ {
		over = inWindow(r.recent[i]) > r.ceiling
	}
	if over {
		r.refused++
		return true
	}
	r.recent = slices.Insert(r.recent, at, arrived)
	return false
}

// applyFault delays and/or fails the request per the longest matching
// prefix. It reports whether it answered the request.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, path string) bool {
	s.mu.Lock()
	var f *Fault
	best := -1
	for prefix, cand := range s.ops.faults {
		if strings.HasPrefix(path, prefix) && len(prefix) > best {
			f, best = cand, len(prefix)
		}
	}
	var latency time.Duration
	status, overQps, retry := 0, false, time.Duration(0)
	if f != nil {
		latency = f.Latency
		if f.Next > 0 {
			f.Next--
			status, overQps, retry = f.Status, f.OverQps || f.Status == http.StatusForbidden, f.RetryAfter
		}
	}
	s.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	switch {
	case overQps:
		writeOverQps(w, retry)
	case status != 0:
		w.Header().Set("Retry-After", retryAfterValue(retry))
		if status == http.StatusServiceUnavailable {
			writeErr(w, status, "Service temporarily unavailable")
		} else {
			writeErr(w, status, "Too many requests")
		}
	default:
		return false
	}
	return true
}
