package brivosim

import (
	"slices"
	"strconv"
	"time"
)

// Interval is a half-open stretch of time [From, To).
type Interval struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// CanOpen reports whether the person with this externalId could open the
// access point at t: the user existed and was not suspended, was a member of
// a group that granted the access point, and held a usable credential whose
// effectiveFrom/effectiveTo window contained t (a nil bound is open).
func (s *Server) CanOpen(externalID string, accessPointID int64, t time.Time) bool {
	return len(s.OpenIntervals(externalID, accessPointID, t, t.Add(time.Nanosecond))) > 0
}

// OpenIntervals returns when, within [from, to), the person could open the
// access point.
func (s *Server) OpenIntervals(externalID string, accessPointID int64, from, to time.Time) []Interval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access(externalID, accessPointID, from, to)
}

// PopulationAccess answers OpenIntervals for every person and access point
// over [from, to): externalId -> access point id -> intervals. Pairs with
// no access are left out.
func (s *Server) PopulationAccess(from, to time.Time) map[string]map[int64][]Interval {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]map[int64][]Interval{}
	for ext, users := range s.hist.byExt {
		aps := map[int64]bool{}
		for uid := range users {
			for gid := range s.hist.userGroups[uid] {
				for ap := range s.hist.groupAPs[gid] {
					aps[ap] = true
				}
			}
		}
		for ap := range aps {
			if iv := s.access(ext, ap, from, to); len(iv) > 0 {
				if out[ext] == nil {
					out[ext] = map[int64][]Interval{}
				}
				out[ext][ap] = iv
			}
		}
	}
	return out
}

// access computes the open intervals from the history; the lock is held.
func (s *Server) access(ext string, ap int64, from, to time.Time) []Interval {
	if !from.Before(to) {
		return nil
	}
	clip := func(f, t time.Time) (Interval, bool) {
		if t.IsZero() || t.After(to) {
			t = to
		}
		if f.Before(from) {
			f = from
		}
		return Interval{f, t}, f.Before(t)
	}
	var out []Interval
	for uid := range s.hist.byExt[ext] {
		var alive []Interval
		for _, seg := range s.hist.users[uid] {
			if seg.ext == ext || (seg.ext == "" && ext == personKey("", uid)) {
				if iv, ok := clip(seg.from, seg.to); ok && !seg.suspended {
					alive = append(alive, iv)
				}
			}
		}
		if len(alive) == 0 {
			continue
		}
		var granted []Interval
		for gid := range s.hist.userGroups[uid] {
			granted = append(granted, intersect(
				clipSpans(s.hist.members[pair{uid, gid}], clip),
				clipSpans(s.hist.grants[pair{gid, ap}], clip))...)
		}
		var held []Interval
		for cid := range s.hist.userCreds[uid] {
			for _, seg := range s.hist.creds[cid] {
				if seg.userID != uid || !seg.usable {
					continue
				}
				f, t := seg.from, seg.to
				if seg.winFrom != nil && seg.winFrom.After(f) {
					f = *seg.winFrom
				}
				if seg.winTo != nil && (t.IsZero() || seg.winTo.Before(t)) {
					t = *seg.winTo
					if t.IsZero() || !f.Before(t) {
						continue
					}
				}
				if iv, ok := clip(f, t); ok {
					held = append(held, iv)
				}
			}
		}
		out = append(out, intersect(intersect(union(alive), union(granted)), union(held))...)
	}
	return union(out)
}

func clipSpans(spans []span, clip func(f, t time.Time) (Interval, bool)) []Interval {
	var out []Interval
	for _, sp := range spans {
		if iv, ok := clip(sp.from, sp.to); ok {
			out = append(out, iv)
		}
	}
	return union(out)
}

// union sorts and merges intervals into a disjoint ascending list.
func union(in []Interval) []Interval {
	if len(in) == 0 {
		return nil
	}
	s := slices.Clone(in)
	slices.SortFunc(s, func(a, b Interval) int { return a.From.Compare(b.From) })
	out := []Interval{s[0]}
	for _, iv := range s[1:] {
		last := &out[len(out)-1]
		if !iv.From.After(last.To) {
			if iv.To.After(last.To) {
				last.To = iv.To
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// intersect intersects two disjoint ascending lists.
func intersect(a, b []Interval) []Interval {
	var out []Interval
	for i, j := 0, 0; i < len(a) && j < len(b); {
		f := later(a[i].From, b[j].From)
		t := earlier(a[i].To, b[j].To)
		if f.Before(t) {
			out = append(out, Interval{f, t})
		}
		if a[i].To.Before(b[j].To) {
			i++
		} else {
			j++
		}
	}
	return out
}

// Clip cuts intervals to [from, to), as a disjoint ascending list.
func Clip(in []Interval, from, to time.Time) []Interval {
	return intersect(union(in), []Interval{{From: from, To: to}})
}

func measure(in []Interval) time.Duration {
	var d time.Duration
	for _, iv := range in {
		d += iv.To.Sub(iv.From)
	}
	return d
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Report compares who could open what, when, with who was entitled to.
type Report struct {
	// OverGrant is the total time people could open doors they were not
	// entitled to; UnderGrant the total time they could not open doors they
	// were entitled to.
	OverGrant  time.Duration `json:"overGrant"`
	UnderGrant time.Duration `json:"underGrant"`
	// OverGrantSeconds and UnderGrantSeconds repeat the totals in seconds.
	OverGrantSeconds  float64 `json:"overGrantSeconds"`
	UnderGrantSeconds float64 `json:"underGrantSeconds"`
	// ByPerson holds the people with any over- or under-grant.
	ByPerson map[string]PersonReport `json:"byPerson"`
}

// PersonReport is one person's over- and under-grant, in total and per
// access point.
type PersonReport struct {
	Over          time.Duration            `json:"over"`
	Under         time.Duration            `json:"under"`
	ByAccessPoint map[int64]AccessPointGap `json:"byAccessPoint,omitempty"`
}

// AccessPointGap is the over- and under-grant on one access point.
type AccessPointGap struct {
	Over  time.Duration `json:"over"`
	Under time.Duration `json:"under"`
}

// CompareAccess measures actual access (typically PopulationAccess) against
// expected access (what people were entitled to): over-grant is time in
// actual and not in expected, under-grant the reverse. Input intervals need
// not be sorted or disjoint.
func CompareAccess(actual, expected map[string]map[int64][]Interval) Report {
	rep := Report{ByPerson: map[string]PersonReport{}}
	people := map[string]bool{}
	for p := range actual {
		people[p] = true
	}
	for p := range expected {
		people[p] = true
	}
	for p := range people {
		aps := map[int64]bool{}
		for ap := range actual[p] {
			aps[ap] = true
		}
		for ap := range expected[p] {
			aps[ap] = true
		}
		pr := PersonReport{ByAccessPoint: map[int64]AccessPointGap{}}
		for ap := range aps {
			a, e := union(actual[p][ap]), union(expected[p][ap])
			both := measure(intersect(a, e))
			gap := AccessPointGap{Over: measure(a) - both, Under: measure(e) - both}
			if gap.Over == 0 && gap.Under == 0 {
				continue
			}
			pr.ByAccessPoint[ap] = gap
			pr.Over += gap.Over
			pr.Under += gap.Under
		}
		if pr.Over != 0 || pr.Under != 0 {
			rep.ByPerson[p] = pr
			rep.OverGrant += pr.Over
			rep.UnderGrant += pr.Under
		}
	}
	rep.OverGrantSeconds = rep.OverGrant.Seconds()
	rep.UnderGrantSeconds = rep.UnderGrant.Seconds()
	return rep
}
