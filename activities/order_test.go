package activities

import (
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// Issue 10, case 7, with the real executor against the Brivo simulator and
// its referee: a resident has access; Entrata then postpones the move-in by
// a month and changes the unit. Expected: at no instant while the apply
// runs can the resident open the new unit's door, which neither the old
// state (old unit) nor the new one (not yet moved in) allows; afterwards
// the new door is provisioned behind the later window.
func TestMessy7PostponedMoveInNeverOpensTheNewDoorEarly(t *testing.T) {
	w := newWorld(t)
	r := w.activities()
	sum := fetch(t, r, "")
	first := apply(t, r, ApplyInput{Fingerprint: sum.Fingerprint})
	site := w.sb.Sites[0]

	lease, residents := activeHousehold(t, w, site.EntranceAP)
	vacant := unusedUnit(t, w, lease.UnitID)
	later := entrata.DateOf(time.Now().AddDate(0, 1, 0))
	moved := lease
	moved.Status, moved.UnitID, moved.MoveInDate = entrata.LeaseFuture, vacant.ID, later
	moved.Customers = append([]entrata.Customer(nil), lease.Customers...)
	for i := range moved.Customers {
		if moved.Customers[i].Status == "Current" {
			moved.Customers[i].Status, moved.Customers[i].MoveInDate = "Future", later
		}
	}
	if err := w.sb.Entrata.UpsertLease("100", moved); err != nil {
		t.Fatal(err)
	}
	next := fetch(t, r, sum.Fingerprint)
	from := time.Now()
	apply(t, r, ApplyInput{Fingerprint: next.Fingerprint, AppliedToken: first.AppliedToken})
	to := time.Now()

	newGroup := site.UnitGroups[vacant.Number]
	var doors []int64
	for _, g := range w.sb.Brivo.Groups() {
		if g.ID == newGroup {
			doors = g.AccessPointIDs
		}
	}
	if len(doors) == 0 {
		t.Fatalf("unit %s has no door", vacant.Number)
	}
	for _, ext := range residents {
		for _, ap := range doors {
			if iv := w.sb.Brivo.OpenIntervals(ext, ap, from, to); len(iv) > 0 {
				t.Errorf("%s could open the new unit's door during the apply: %v", ext, iv)
			}
		}
		u, _ := w.sb.Brivo.UserByExternalID(ext)
		if !contains(u.Groups, newGroup) || w.sb.Brivo.CanOpen(ext, site.EntranceAP, time.Now()) {
			t.Errorf("%s after the apply: groups %v, can open the entrance %v; want the new unit provisioned behind the later window",
				ext, u.Groups, w.sb.Brivo.CanOpen(ext, site.EntranceAP, time.Now()))
		}
	}
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// activeHousehold finds a Current lease, not part of a transfer, whose
// residents can all open the entrance now.
func activeHousehold(t *testing.T, w *world, entrance int64) (entrata.Lease, []string) {
	t.Helper()
	pd := w.sb.Entrata.Portfolio().Properties[0]
	for _, l := range pd.Leases {
		if l.Status != entrata.LeaseCurrent || !l.MoveOutDate.IsZero() || l.ParentLeaseID != "" {
			continue
		}
		var ids []string
		ok := true
		for _, c := range l.Customers {
			if strings.EqualFold(c.Type, "Guarantor") || c.Status != "Current" {
				continue
			}
			ext := access.ExternalID(c.ID)
			ids = append(ids, ext)
			ok = ok && w.sb.Brivo.CanOpen(ext, entrance, time.Now())
		}
		if ok && len(ids) > 0 {
			return l, ids
		}
	}
	t.Fatal("no active household")
	return entrata.Lease{}, nil
}

func unusedUnit(t *testing.T, w *world, not string) entrata.Unit {
	t.Helper()
	pd := w.sb.Entrata.Portfolio().Properties[0]
	used := map[string]bool{not: true}
	for _, l := range pd.Leases {
		if l.Status != entrata.LeasePast && l.Status != entrata.LeaseCancelled {
			used[l.UnitID] = true
		}
	}
	for _, u := range pd.Units {
		if !used[u.ID] {
			return u
		}
	}
	t.Fatal("no vacant unit")
	return entrata.Unit{}
}
