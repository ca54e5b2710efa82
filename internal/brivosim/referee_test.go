package brivosim

import (
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func h(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Hour))) }

// world is the fixture a timeline acts on: one site with two doors, a group
// for each, and one person "entrata-1".
type world struct {
	t            *testing.T
	sim          *Server
	doorA, doorB int64
	groupA       int64
	userID       int64
	card         int64
}

func (w *world) createUser() {
	var u struct{ ID int64 }
	mustCall(w.t, w.sim, "POST", "/users", map[string]any{"externalId": "entrata-1", "firstName": "A", "lastName": "B"}, &u)
	w.userID = u.ID
}

func (w *world) join() {
	mustCall(w.t, w.sim, "POST", fmt.Sprintf("/users/%d/groups", w.userID), map[string]any{"addGroups": []int64{w.groupA}}, nil)
}

func (w *world) assign(from, to *time.Time) {
	body := map[string]any{}
	if from != nil {
		body["effectiveFrom"] = from.Format(time.RFC3339)
	}
	if to != nil {
		body["effectiveTo"] = to.Format(time.RFC3339)
	}
	mustCall(w.t, w.sim, "PUT", fmt.Sprintf("/users/%d/credentials/%d", w.userID, w.card), body, nil)
}

func (w *world) suspend(v bool) {
	mustCall(w.t, w.sim, "PUT", fmt.Sprintf("/users/%d/suspended", w.userID), map[string]bool{"suspended": v}, nil)
}

func tp(t time.Time) *time.Time { return &t }

type step struct {
	at float64 // hours after t0
	do func(w *world)
}

type check struct {
	at   float64
	door string // "A" or "B"
	want bool
}

func TestRefereeTimelines(t *testing.T) {
	resident := []step{{0, (*world).createUser}, {0, (*world).join}}
	tests := []struct {
		name      string
		steps     []step
		checks    []check
		expected  []Interval // entitlement on door A over [h0, h10)
		expectedB []Interval
		wantOpenA []Interval
		over      time.Duration
		under     time.Duration
	}{
		{
			name:      "resident with a windowed credential",
			steps:     append(resident, step{0, func(w *world) { w.assign(tp(h(1)), tp(h(5))) }}),
			checks:    []check{{0.5, "A", false}, {1, "A", true}, {4.99, "A", true}, {5, "A", false}, {2, "B", false}},
			expected:  []Interval{{h(1), h(5)}},
			wantOpenA: []Interval{{h(1), h(5)}},
		},
		{
			name: "suspended user",
			steps: append(resident, step{0, func(w *world) { w.assign(nil, nil) }},
				step{3, func(w *world) { w.suspend(true) }}, step{6, func(w *world) { w.suspend(false) }}),
			checks:    []check{{2, "A", true}, {3, "A", false}, {5.9, "A", false}, {6, "A", true}},
			expected:  []Interval{{h(0), h(10)}},
			wantOpenA: []Interval{{h(0), h(3)}, {h(6), h(10)}},
			under:     3 * time.Hour,
		},
		{
			name:      "expired credential",
			steps:     append(resident, step{0, func(w *world) { w.assign(tp(h(0)), tp(h(2))) }}),
			checks:    []check{{1, "A", true}, {2, "A", false}, {9, "A", false}},
			expected:  []Interval{{h(0), h(8)}},
			wantOpenA: []Interval{{h(0), h(2)}},
			under:     6 * time.Hour,
		},
		{
			name: "group lost the access point (and gained another)",
			steps: append(resident, step{0, func(w *world) { w.assign(nil, nil) }},
				step{4, func(w *world) { w.sim.SetGroupAccessPoints(w.groupA, w.doorB) }}),
			checks:    []check{{3, "A", true}, {4, "A", false}, {4, "B", true}, {3, "B", false}},
			expected:  []Interval{{h(0), h(10)}},
			wantOpenA: []Interval{{h(0), h(4)}},
			under:     6 * time.Hour,
			over:      6 * time.Hour, // door B from h4, not entitled
		},
		{
			name:     "in a group but no credential",
			steps:    resident,
			checks:   []check{{1, "A", false}, {9, "A", false}},
			expected: []Interval{{h(0), h(10)}},
			under:    10 * time.Hour,
		},
		{
			name: "credential but no group until a console edit",
			steps: []step{{0, (*world).createUser}, {0, func(w *world) { w.assign(nil, nil) }},
				{2, func(w *world) {
					if err := w.sim.ManualAddToGroup(w.userID, w.groupA); err != nil {
						w.t.Fatal(err)
					}
				}}},
			checks:    []check{{1, "A", false}, {2, "A", true}},
			wantOpenA: []Interval{{h(2), h(10)}},
			over:      8 * time.Hour,
		},
		{
			name: "window moved by hand, user deleted",
			steps: append(resident, step{0, func(w *world) { w.assign(tp(h(1)), tp(h(9))) }},
				step{2, func(w *world) {
					if err := w.sim.ManualSetWindow(w.userID, w.card, tp(h(3)), nil); err != nil {
						w.t.Fatal(err)
					}
				}},
				step{7, func(w *world) { mustCall(w.t, w.sim, "DELETE", fmt.Sprintf("/users/%d", w.userID), nil, nil) }}),
			checks:    []check{{1.5, "A", true}, {2.5, "A", false}, {3, "A", true}, {7, "A", false}},
			expected:  []Interval{{h(1), h(9)}},
			wantOpenA: []Interval{{h(1), h(2)}, {h(3), h(7)}},
			under:     1*time.Hour + 2*time.Hour,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{t: t0}
			opts := testOptions()
			opts.Now = clock.Now
			sim := New(opts)
			site := sim.AddSite("S")
			a, b := sim.AddAccessPoint(site.ID, "Door A"), sim.AddAccessPoint(site.ID, "Door B")
			w := &world{t: t, sim: sim, doorA: a.ID, doorB: b.ID, groupA: sim.AddGroup("G", a.ID).ID, card: sim.AddCard("c1")}
			for _, st := range tc.steps {
				clock.Set(h(st.at))
				st.do(w)
			}
			clock.Set(h(10))
			doors := map[string]int64{"A": w.doorA, "B": w.doorB}
			for _, c := range tc.checks {
				if got := sim.CanOpen("entrata-1", doors[c.door], h(c.at)); got != c.want {
					t.Errorf("CanOpen(door %s, h%.2f) = %v; want %v", c.door, c.at, got, c.want)
				}
			}
			if got := sim.OpenIntervals("entrata-1", w.doorA, h(0), h(10)); !equalIntervals(got, tc.wantOpenA) {
				t.Errorf("OpenIntervals(A) = %v; want %v", got, tc.wantOpenA)
			}
			expected := map[string]map[int64][]Interval{"entrata-1": {w.doorA: tc.expected, w.doorB: tc.expectedB}}
			rep := CompareAccess(sim.PopulationAccess(h(0), h(10)), expected)
			if rep.OverGrant != tc.over || rep.UnderGrant != tc.under {
				t.Errorf("over/under = %v/%v; want %v/%v (report %+v)", rep.OverGrant, rep.UnderGrant, tc.over, tc.under, rep)
			}
			if pr := rep.ByPerson["entrata-1"]; pr.Over != tc.over || pr.Under != tc.under {
				t.Errorf("person report = %+v", pr)
			}
			if rep.OverGrantSeconds != tc.over.Seconds() {
				t.Errorf("OverGrantSeconds = %v", rep.OverGrantSeconds)
			}
		})
	}
}

func equalIntervals(a, b []Interval) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].From.Equal(b[i].From) || !a[i].To.Equal(b[i].To) {
			return false
		}
	}
	return true
}

func TestIntervalMath(t *testing.T) {
	tests := []struct {
		name                string
		actual, expected    []Interval
		wantOver, wantUnder time.Duration
	}{
		{"identical", []Interval{{h(0), h(2)}}, []Interval{{h(0), h(2)}}, 0, 0},
		{"overlapping unsorted input", []Interval{{h(3), h(5)}, {h(0), h(2)}, {h(1), h(4)}}, []Interval{{h(0), h(5)}}, 0, 0},
		{"shifted", []Interval{{h(1), h(3)}}, []Interval{{h(0), h(2)}}, time.Hour, time.Hour},
		{"nothing actual", nil, []Interval{{h(0), h(2)}}, 0, 2 * time.Hour},
		{"nothing expected", []Interval{{h(0), h(2)}, {h(4), h(5)}}, nil, 3 * time.Hour, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := CompareAccess(map[string]map[int64][]Interval{"p": {1: tc.actual}},
				map[string]map[int64][]Interval{"p": {1: tc.expected}})
			if rep.OverGrant != tc.wantOver || rep.UnderGrant != tc.wantUnder {
				t.Fatalf("over/under = %v/%v; want %v/%v", rep.OverGrant, rep.UnderGrant, tc.wantOver, tc.wantUnder)
			}
			if gap := rep.ByPerson["p"].ByAccessPoint[1]; gap.Over != tc.wantOver || gap.Under != tc.wantUnder {
				t.Fatalf("per access point = %+v", gap)
			}
		})
	}
}

func TestClip(t *testing.T) {
	in := []Interval{{h(4), h(6)}, {h(0), h(2)}, {h(1), h(3)}}
	got := Clip(in, h(1), h(5))
	want := []Interval{{h(1), h(3)}, {h(4), h(5)}}
	if !equalIntervals(got, want) {
		t.Fatalf("Clip = %v, want %v", got, want)
	}
	if got := Clip(in, h(3), h(4)); len(got) != 0 {
		t.Fatalf("Clip to a gap = %v, want nothing", got)
	}
}
