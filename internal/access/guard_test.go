package access

import (
	"fmt"
	"testing"
)

func population(n int) (Desired, []ObservedUser) {
	var d Desired
	var obs []ObservedUser
	for i := range n {
		u := desiredUser(fmt.Sprintf("entrata-%03d", i), 5001)
		d.Users = append(d.Users, u)
		obs = append(obs, inSync(u, int64(i+1)))
	}
	return d, obs
}

func TestGuard(t *testing.T) {
	d, obs := population(100)
	obs = append(obs, ObservedUser{BrivoID: 999, ExternalID: "staff-1"})

	t.Run("empty Entrata answer holds", func(t *testing.T) {
		cs := Diff(Desired{}, obs, DiffOptions{})
		g := Guard(cs, obs, GuardOptions{})
		if !g.Hold || g.Unscheduled != 100 || g.Active != 100 || g.Reason == "" {
			t.Errorf("decision %+v, want hold", g)
		}
		if held := WithoutUnscheduledRevocations(cs); len(held.Changes) != 0 {
			t.Errorf("held change set still has %d changes", len(held.Changes))
		}
	})
	t.Run("first of the month: 10% moving out on schedule does not hold", func(t *testing.T) {
		next := Desired{Users: append([]DesiredUser(nil), d.Users...)}
		for i := range 10 {
			next.Users[i].Suspended, next.Users[i].GroupIDs = true, nil
		}
		cs := Diff(next, obs, DiffOptions{})
		if g := Guard(cs, obs, GuardOptions{}); g.Hold || g.Unscheduled != 0 {
			t.Errorf("decision %+v, want no hold", g)
		}
		if len(cs.Changes) != 20 {
			t.Errorf("%d changes, want suspend and group removal for 10", len(cs.Changes))
		}
	})
	t.Run("a few absences below the minimum do not hold", func(t *testing.T) {
		_, small := population(10)
		cs := Diff(Desired{}, small[:4], DiffOptions{})
		if g := Guard(cs, small[:4], GuardOptions{}); g.Hold {
			t.Errorf("decision %+v, want no hold under MinCount", g)
		}
	})
	t.Run("share threshold is configurable", func(t *testing.T) {
		partial := Desired{Users: d.Users[:70]}
		cs := Diff(partial, obs, DiffOptions{})
		if g := Guard(cs, obs, GuardOptions{}); !g.Hold || g.Unscheduled != 30 {
			t.Errorf("30%% absent: %+v, want hold", g)
		}
		if g := Guard(cs, obs, GuardOptions{MaxShare: 0.5}); g.Hold {
			t.Errorf("30%% absent with 50%% allowed: %+v, want no hold", g)
		}
		held := WithoutUnscheduledRevocations(cs)
		if len(held.Changes) != 0 {
			t.Errorf("held set: %v", kinds(held))
		}
	})
}

// TestGuardBounds tries the guard exactly at its bounds: MinCount holds (it
// is "at least"), MaxShare does not (it is "more than").
func TestGuardBounds(t *testing.T) {
	absent := func(n, of int) (ChangeSet, []ObservedUser) {
		d, obs := population(of)
		return Diff(Desired{Users: d.Users[n:]}, obs, DiffOptions{}), obs
	}
	for _, tc := range []struct {
		name      string
		n, active int
		hold      bool
	}{
		{"exactly MinCount (5 of 10) holds", 5, 10, true},
		{"one under MinCount (4 of 10) does not hold", 4, 10, false},
		{"exactly MaxShare (10 of 50, 20%) does not hold", 10, 50, false},
		{"just over MaxShare (11 of 50) holds", 11, 50, true},
		{"exactly both bounds (5 of 25) does not hold", 5, 25, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, obs := absent(tc.n, tc.active)
			g := Guard(cs, obs, GuardOptions{})
			if g.Unscheduled != tc.n || g.Active != tc.active || g.Hold != tc.hold {
				t.Errorf("decision %+v, want hold=%v with %d of %d", g, tc.hold, tc.n, tc.active)
			}
		})
	}
}
