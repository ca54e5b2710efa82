package entrata_test

import (
	"slices"
	"testing"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
)

// Issue 10, case 1, through the wire, decoder and policy: one roommate's
// record is bad (move-out before move-in, listed twice, unknown status).
// Expected: every other customer on the lease keeps exactly the access they
// had; the bad one is left as they are in Brivo (Untouchable) and reported
// by lease and customer id; nobody is taken for gone.
func TestMessy1OneBadRoommateOnTheWire(t *testing.T) {
	p := newPipeline(t, 7)
	var lease, bad, roommate string
	index := -1
	for _, l := range p.baseLeases {
		var residents []int
		for i, c := range l.Customers {
			if resident(c) && canon(p.base, access.ExternalID(c.ID)) != "absent" {
				residents = append(residents, i)
			}
		}
		if len(residents) >= 2 {
			lease, index = l.ID, residents[0]
			bad, roommate = l.Customers[residents[0]].ID, l.Customers[residents[1]].ID
			break
		}
	}
	if index < 0 {
		t.Fatal("no lease with two entitled residents in the portfolio")
	}
	for _, cc := range customerCorruptions[:4] {
		t.Run(cc.name, func(t *testing.T) {
			p.wire.set(&corruption{name: cc.name, leaseID: lease, customer: bad,
				apply: func(m map[string]any) { cc.apply(m, index) }})
			_, got := p.plan()
			p.wire.set(nil)
			ext := access.ExternalID(roommate)
			if canon(got, ext) != canon(p.base, ext) {
				t.Errorf("roommate %s: got %s, want unchanged %s", ext, canon(got, ext), canon(p.base, ext))
			}
			if !slices.Equal(got.Untouchable, []string{access.ExternalID(bad)}) {
				t.Errorf("untouchable = %v, want only %s", got.Untouchable, access.ExternalID(bad))
			}
			found := false
			for _, pr := range got.Problems {
				found = found || (pr.LeaseID == lease && pr.CustomerID == bad)
			}
			if !found || got.HoldAbsent {
				t.Errorf("problems %v: want one naming lease %s and customer %s (HoldAbsent %v)", got.Problems, lease, bad, got.HoldAbsent)
			}
			for _, e := range p.base.Entitlements {
				if e.CustomerID != bad && canon(got, e.ExternalID) == "absent" {
					t.Errorf("%s taken for gone", e.ExternalID)
				}
			}
		})
	}
}
