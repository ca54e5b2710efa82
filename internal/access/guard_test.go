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
