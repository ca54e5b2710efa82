package brivosim

import (
	"net/http"
	"strings"
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
	calls map[string]int
	// overCeiling counts the calls refused with Over Qps because they
	// exceeded the rate ceiling (injected faults are not counted).
	overCeiling int
	faults      map[string]*Fault
	ceiling     int
	recent      []time.Time // wall-clock times of accepted API calls, last second
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
	defer s.mu.Unlock()
	clear(s.ops.calls)
	s.ops.overCeiling = 0
}

// OverCeiling returns how many calls the rate ceiling refused with
// 403 Developer Over Qps since the last ResetCalls.
func (s *Server) OverCeiling() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ops.overCeiling
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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops.ceiling = perSecond
	s.ops.recent = nil
}

// overCeiling records an API call and reports whether it exceeds the
// ceiling. Rejected calls do not count against the window.
func (s *Server) overCeiling() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ops.ceiling <= 0 {
		return false
	}
	now := time.Now()
	cut := 0
	for cut < len(s.ops.recent) && now.Sub(s.ops.recent[cut]) >= time.Second {
		cut++
	}
	s.ops.recent = s.ops.recent[cut:]
	if len(s.ops.recent) >= s.ops.ceiling {
		s.ops.overCeiling++
		return true
	}
	s.ops.recent = append(s.ops.recent, now)
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
