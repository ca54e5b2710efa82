package entrata

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateWindow is one of the windows Entrata reports per service, such as
// 1000 calls per hour.
type RateWindow struct {
	Period    string        // "day", "hour", "minute", or "" when unnamed
	Limit     int           // calls allowed in the window
	Remaining int           // calls left in the window
	Reset     time.Duration // time until the window starts afresh
}

// RateLimit is the per-service quota reported by the x-ratelimit-limit,
// x-ratelimit-remaining and x-ratelimit-reset headers of a response, one
// window per ";"-separated entry.
type RateLimit struct {
	Windows []RateWindow
}

// Remaining returns the calls left before the tightest window is exhausted:
// the minimum across windows, or -1 when the response reported no quota.
func (r RateLimit) Remaining() int {
	if len(r.Windows) == 0 {
		return -1
	}
	m := r.Windows[0].Remaining
	for _, w := range r.Windows[1:] {
		m = min(m, w.Remaining)
	}
	return m
}

// Exhausted reports whether some window has no calls left.
func (r RateLimit) Exhausted() bool { return len(r.Windows) > 0 && r.Remaining() <= 0 }

// ResetIn returns how long until a call can succeed again: the longest reset
// among exhausted windows, or, when none is exhausted, the reset of the
// window with the fewest calls left. It is 0 when no quota was reported.
func (r RateLimit) ResetIn() time.Duration {
	var d time.Duration
	exhausted := false
	for _, w := range r.Windows {
		if w.Remaining <= 0 {
			if !exhausted || w.Reset > d {
				d = w.Reset
			}
			exhausted = true
		}
	}
	if exhausted || len(r.Windows) == 0 {
		return d
	}
	tight := r.Windows[0]
	for _, w := range r.Windows[1:] {
		if w.Remaining < tight.Remaining {
			tight = w
		}
	}
	return tight.Reset
}

// parseRateLimit reads the x-ratelimit-* headers. Entries are matched by
// position; malformed entries are skipped rather than failing the call.
func parseRateLimit(h http.Header) RateLimit {
	limits := splitQuota(h.Get("X-Ratelimit-Limit"))
	remaining := splitQuota(h.Get("X-Ratelimit-Remaining"))
	resets := splitQuota(h.Get("X-Ratelimit-Reset"))
	n := max(len(limits), len(remaining))
	var rl RateLimit
	for i := range n {
		w := RateWindow{Limit: -1, Remaining: -1}
		if i < len(limits) {
			w.Limit, w.Period = limits[i].n, limits[i].period
		}
		if i < len(remaining) {
			w.Remaining = remaining[i].n
			if w.Period == "" {
				w.Period = remaining[i].period
			}
		}
		if i < len(resets) && resets[i].n >= 0 {
			w.Reset = time.Duration(resets[i].n) * time.Second
		}
		if w.Remaining < 0 {
			continue // a limit without a remaining count says nothing usable
		}
		rl.Windows = append(rl.Windows, w)
	}
	return rl
}

type quotaEntry struct {
	n      int
	period string
}

func splitQuota(v string) []quotaEntry {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var out []quotaEntry
	for part := range strings.FieldsFuncSeq(v, func(r rune) bool { return r == ';' || r == ',' }) {
		num, period, _ := strings.Cut(strings.TrimSpace(part), "/")
		n, err := strconv.Atoi(strings.TrimSpace(num))
		if err != nil {
			n = -1
		}
		out = append(out, quotaEntry{n: n, period: strings.TrimSpace(period)})
	}
	return out
}

// retryAfterHeader parses a Retry-After header given in seconds or as an
// HTTP date.
func retryAfterHeader(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
