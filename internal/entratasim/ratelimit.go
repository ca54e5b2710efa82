package entratasim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// defaultLimits are the per-service windows observed on the real API.
var defaultLimits = map[string]string{
	"status":        "8640/day;360/hour;6/minute",
	"properties":    "10000/day;1000/hour;300/minute",
	"propertyunits": "66000/hour;1100/minute",
	"leases":        "10000/day;1000/hour;300/minute",
}

// window is one fixed rate-limit window aligned to its period.
type window struct {
	name   string
	period time.Duration
	limit  int
	start  time.Time
	used   int
}

// quota is the set of windows of one service.
type quota struct{ windows []*window }

var periods = map[string]time.Duration{
	"second": time.Second, "minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour,
}

// parseQuota parses "10000/day;1000/hour;300/minute".
func parseQuota(spec string) (*quota, error) {
	q := &quota{}
	for part := range strings.SplitSeq(spec, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		num, name, ok := strings.Cut(part, "/")
		n, err := strconv.Atoi(strings.TrimSpace(num))
		p, known := periods[strings.TrimSpace(name)]
		if !ok || err != nil || n < 0 || !known {
			return nil, fmt.Errorf("rate limit %q: want N/day, N/hour, N/minute or N/second entries", spec)
		}
		q.windows = append(q.windows, &window{name: strings.TrimSpace(name), period: p, limit: n})
	}
	if len(q.windows) == 0 {
		return nil, fmt.Errorf("rate limit %q has no window", spec)
	}
	return q, nil
}

func (q *quota) roll(now time.Time) {
	for _, w := range q.windows {
		if start := now.Truncate(w.period); !start.Equal(w.start) {
			w.start, w.used = start, 0
		}
	}
}

// take spends one call; it reports false, spending nothing, when a window
// is exhausted.
func (q *quota) take(now time.Time) bool {
	q.roll(now)
	for _, w := range q.windows {
		if w.used >= w.limit {
			return false
		}
	}
	for _, w := range q.windows {
		w.used++
	}
	return true
}

// exhaust uses up every window until it resets.
func (q *quota) exhaust(now time.Time) {
	q.roll(now)
	for _, w := range q.windows {
		w.used = w.limit
	}
}

// headers returns x-ratelimit-limit, -remaining and -reset values.
func (q *quota) headers(now time.Time) (limit, remaining, reset string) {
	q.roll(now)
	var l, r, s []string
	for _, w := range q.windows {
		l = append(l, fmt.Sprintf("%d/%s", w.limit, w.name))
		r = append(r, fmt.Sprintf("%d/%s", max(w.limit-w.used, 0), w.name))
		left := w.start.Add(w.period).Sub(now)
		s = append(s, strconv.Itoa(int((left+time.Second-1)/time.Second)))
	}
	return strings.Join(l, ";"), strings.Join(r, ";"), strings.Join(s, ";")
}
