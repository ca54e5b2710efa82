package access

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// doorState is the Brivo state a change list leaves, read as who can open
// which group when. An invitation sent by the list counts as a credential
// with the window the executor gives it (pessimistic: the resident may
// accept at once).
type doorState map[string]ObservedUser

func doorsAfter(observed []ObservedUser, changes []Change) (doorState, map[string]Window) {
	invited := map[string]Window{}
	for _, c := range changes {
		if c.Kind == InviteMobilePass && c.Window != nil {
			invited[c.ExternalID] = *c.Window
		}
	}
	out := doorState{}
	for _, u := range Apply(observed, ChangeSet{Changes: changes}) {
		out[u.ExternalID] = u
	}
	return out, invited
}

func canOpen(s doorState, invited map[string]Window, ext string, g int64, t time.Time) bool {
	u, ok := s[ext]
	if !ok || u.Suspended || !slices.Contains(u.GroupIDs, g) {
		return false
	}
	if w, ok := invited[ext]; ok && w.Contains(t) {
		return true
	}
	for _, cr := range u.Credentials {
		if (cr.From == nil || !t.Before(*cr.From)) && (cr.To == nil || t.Before(*cr.To)) {
			return true
		}
	}
	return false
}

// reshuffle is what Entrata does to a portfolio between two reconciles:
// move-ins postponed, units changed, move-outs moved, statuses changed.
func reshuffle(rng *rand.Rand, pf portfolio) []entrata.Lease {
	leases := slices.Clone(pf.leases)
	for i := range leases {
		l := &leases[i]
		l.Customers = slices.Clone(l.Customers)
		switch rng.IntN(8) {
		case 0:
			if !l.MoveInDate.IsZero() {
				l.MoveInDate = l.MoveInDate.AddDays(1 + rng.IntN(60))
			}
			l.UnitID = pf.units[rng.IntN(len(pf.units))].ID
		case 1:
			l.UnitID = pf.units[rng.IntN(len(pf.units))].ID
		case 2:
			if !l.MoveInDate.IsZero() {
				l.MoveOutDate = l.MoveInDate.AddDays(rng.IntN(300))
			}
		case 3:
			l.MoveOutDate = entrata.Date{}
		case 4:
			l.Status = pick(rng, entrata.LeaseFuture, entrata.LeaseCurrent, entrata.LeaseNotice, entrata.LeasePast)
		}
	}
	return leases
}

// Case 7 (issue 10): applying any prefix of a change list never lets anyone
// open a door, at any instant, that neither the old Brivo state nor the
// new one allows: per user, narrowing (suspension, group removal, window
// shrink) comes before widening.
func TestMessy7NoPrefixOfAChangeListLetsAnyoneIn(t *testing.T) {
	forEachPortfolio(t, func(t *testing.T, rng *rand.Rand, pf portfolio, r Result) {
		instants := sampleInstants(rng, 12)
		then, now := instants[0], instants[1]
		observed := perturb(rng, observedFrom(DesiredAt(r, then)))
		r2 := Entitle(pf.policy, pf.units, reshuffle(rng, pf), pf.groups)
		cs := Diff(DesiredAt(r2, now), observed, DiffOptions{InviteMobilePass: true})
		final, finalInv := doorsAfter(observed, cs.Changes)
		old, _ := doorsAfter(observed, nil)
		groups := map[int64]bool{}
		for _, u := range final {
			for _, g := range u.GroupIDs {
				groups[g] = true
			}
		}
		for _, u := range observed {
			for _, g := range u.GroupIDs {
				groups[g] = true
			}
		}
		state, midInv := observed, map[string]Window{}
		for k := 1; k < len(cs.Changes); k++ {
			// Prefix k is prefix k-1 plus one change; only the user that
			// change touches can differ.
			c := cs.Changes[k-1]
			ext := c.ExternalID
			state = Apply(state, ChangeSet{Changes: []Change{c}})
			if c.Kind == InviteMobilePass && c.Window != nil {
				midInv[ext] = *c.Window
			}
			mid := doorState{}
			for _, u := range state {
				mid[u.ExternalID] = u
			}
			for g := range groups {
				for _, at := range append(instants, now, then) {
					if canOpen(mid, midInv, ext, g, at) && !canOpen(old, nil, ext, g, at) && !canOpen(final, finalInv, ext, g, at) {
						t.Fatalf("after %d of %d changes %s can open group %d at %v, which neither the old nor the new state allows; changes: %s",
							k, len(cs.Changes), ext, g, at, describeChanges(cs.Changes, ext))
					}
				}
			}
		}
	})
}

func describeChanges(cs []Change, ext string) string {
	var out []string
	for _, c := range cs {
		if c.ExternalID == ext {
			w := ""
			if c.Window != nil {
				w = c.Window.String()
			}
			out = append(out, fmt.Sprintf("%s +%v -%v %s", c.Kind, c.AddGroups, c.RemoveGroups, w))
		}
	}
	return fmt.Sprint(out)
}

// Case 7, the reported example: access was granted for a March move-in in
// unit 1; Entrata then postpones the move-in to April and changes the unit.
// The window must narrow (and unit 1 go) before unit 2 is added.
func TestMessy7PostponedMoveInWithNewUnitNarrowsFirst(t *testing.T) {
	granted := inSync(desiredUser("entrata-1", 5001, 6001), 1)
	want := desiredUser("entrata-1", 5001, 6002)
	want.Window.From = t0.AddDate(0, 1, 0)
	cs := Diff(Desired{Users: []DesiredUser{want}}, []ObservedUser{granted}, DiffOptions{})
	got := describeChanges(cs.Changes, "entrata-1")
	if w := "[change-groups +[] -[6001]  set-window +[] -[] " + want.Window.String() + " change-groups +[6002] -[] ]"; got != w {
		t.Fatalf("changes\n got  %s\n want %s", got, w)
	}
}
