package access

import (
	"slices"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// Window is the half-open interval [From, To); a nil To is open-ended.
type Window struct {
	From time.Time
	To   *time.Time
}

// Contains reports whether t lies in [From, To).
func (w Window) Contains(t time.Time) bool {
	return !t.Before(w.From) && (w.To == nil || t.Before(*w.To))
}

// Empty reports whether the window contains no instant.
func (w Window) Empty() bool { return w.To != nil && !w.To.After(w.From) }

// Equal reports whether both windows bound the same instants.
func (w Window) Equal(o Window) bool {
	return w.From.Equal(o.From) && timePtrEqual(w.To, o.To)
}

// String formats the window in UTC, for logs and tests.
func (w Window) String() string {
	to := "open"
	if w.To != nil {
		to = w.To.UTC().Format(time.RFC3339)
	}
	return "[" + w.From.UTC().Format(time.RFC3339) + ", " + to + ")"
}

func timePtrEqual(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func ptr(t time.Time) *time.Time { return &t }

// endsBefore reports whether a's end comes strictly before b's (open = +inf).
func endsBefore(a, b *time.Time) bool {
	if a == nil {
		return false
	}
	return b == nil || a.Before(*b)
}

// hull returns the smallest window containing both.
func hull(a, b Window) Window {
	out := a
	if b.From.Before(out.From) {
		out.From = b.From
	}
	if endsBefore(out.To, b.To) {
		out.To = b.To
	}
	return out
}

// mergeWindows sorts windows and merges overlapping or adjacent ones; empty
// windows are dropped.
func mergeWindows(ws []Window) []Window {
	ws = slices.DeleteFunc(slices.Clone(ws), Window.Empty)
	slices.SortFunc(ws, func(a, b Window) int { return a.From.Compare(b.From) })
	var out []Window
	for _, w := range ws {
		if n := len(out); n > 0 && (out[n-1].To == nil || !w.From.After(*out[n-1].To)) {
			if endsBefore(out[n-1].To, w.To) {
				out[n-1].To = w.To
			}
			continue
		}
		out = append(out, w)
	}
	return out
}

// wallInstant returns the instant the wall clock in loc reads c on date d.
// A wall time skipped by a DST jump is read with the offset in force before
// the jump (it moves forward by the gap); a wall time that occurs twice is
// its first occurrence. time.Date guarantees neither.
func wallInstant(d entrata.Date, c ClockTime, loc *time.Location) time.Time {
	naive := time.Date(d.Year, d.Month, d.Day, c.Hour, c.Minute, c.Second, 0, time.UTC)
	guess := time.Date(d.Year, d.Month, d.Day, c.Hour, c.Minute, c.Second, 0, loc)
	var best time.Time
	found := false
	before := 0
	for i, probe := range []time.Time{guess.Add(-24 * time.Hour), guess, guess.Add(24 * time.Hour)} {
		_, off := probe.Zone()
		if i == 0 {
			before = off
		}
		u := naive.Add(-time.Duration(off) * time.Second).In(loc)
		if u.Year() == d.Year && u.Month() == d.Month && u.Day() == d.Day &&
			u.Hour() == c.Hour && u.Minute() == c.Minute && u.Second() == c.Second {
			if !found || u.Before(best) {
				best, found = u, true
			}
		}
	}
	if found {
		return best
	}
	return naive.Add(-time.Duration(before) * time.Second).In(loc)
}
