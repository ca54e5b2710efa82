package activities

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/entratasim"
)

// Deletion is the one change that cannot be put back: a Brivo user is
// deleted only when Entrata positively says its customer is gone.

// goneWorld is a property applied once, so the worker believes what Brivo
// holds, plus its current plain leases that have Brivo users.
type goneWorld struct {
	*world
	r      run
	leases []entrata.Lease
}

func newGoneWorld(t *testing.T) goneWorld {
	t.Helper()
	w := newWorld(t)
	r := w.activities()
	sum := fetch(t, r, "")
	apply(t, r, ApplyInput{Fingerprint: sum.Fingerprint})
	g := goneWorld{world: w, r: r}
	for _, l := range w.sb.Entrata.Portfolio().Properties[0].Leases {
		if l.Status == entrata.LeaseCurrent && l.ParentLeaseID == "" && len(g.owned(l)) > 0 {
			g.leases = append(g.leases, l)
		}
	}
	if len(g.leases) < 6 {
		t.Fatalf("only %d current leases with Brivo users; the tests need 6", len(g.leases))
	}
	return g
}

// owned lists the Brivo users of the lease's customers.
func (g goneWorld) owned(l entrata.Lease) []string {
	var out []string
	for _, c := range l.Customers {
		if _, ok := g.sb.Brivo.UserByExternalID(access.ExternalID(c.ID)); ok {
			out = append(out, access.ExternalID(c.ID))
		}
	}
	return out
}

// confirm runs confirmGone as a fetch would after Entrata's listing left out
// the customers of the given leases.
func (g goneWorld) confirm(absent ...entrata.Lease) map[string]bool {
	g.t.Helper()
	mem := g.r.a.memory("100")
	r := mem.plan.result
	drop := map[string]bool{}
	for _, l := range absent {
		for _, ext := range g.owned(l) {
			drop[ext] = true
		}
	}
	r.Entitlements = slices.DeleteFunc(slices.Clone(r.Entitlements), func(e access.Entitlement) bool { return drop[e.ExternalID] })
	return g.r.a.confirmGone(context.Background(), "100", mem, r, 100)
}

func TestConfirmGoneDeletesWhatEntrataNoLongerKnows(t *testing.T) {
	g := newGoneWorld(t)
	victim := g.leases[0]
	if err := g.sb.Entrata.DeleteLease("100", victim.ID); err != nil {
		t.Fatal(err)
	}
	gone := g.confirm(victim)
	for _, ext := range g.owned(victim) {
		if !gone[ext] {
			t.Errorf("%s: Entrata has no lease for it, yet it is not confirmed gone (%v)", ext, gone)
		}
	}
	if len(gone) != len(g.owned(victim)) {
		t.Errorf("confirmed gone %v, want only the deleted lease's customers", gone)
	}
}

func TestConfirmGoneLookupErrorIsNotGone(t *testing.T) {
	g := newGoneWorld(t)
	victim := g.leases[0]
	if err := g.sb.Entrata.DeleteLease("100", victim.ID); err != nil {
		t.Fatal(err)
	}
	g.sb.Entrata.SetFault("leases", entratasim.Fault{FailNext: 1000, Status: 500})
	if gone := g.confirm(victim); len(gone) != 0 {
		t.Fatalf("a failed lookup confirmed %v gone", gone)
	}
	g.sb.Entrata.ClearFaults()
	g.sb.Entrata.SetFault("leases", entratasim.Fault{ErrorEnvelopeNext: 1000})
	if gone := g.confirm(victim); len(gone) != 0 {
		t.Fatalf("an error envelope confirmed %v gone", gone)
	}
}

func TestConfirmGoneLookupWithProblemsIsNotGone(t *testing.T) {
	g := newGoneWorld(t)
	victim := g.leases[0]
	if err := g.sb.Entrata.DeleteLease("100", victim.ID); err != nil {
		t.Fatal(err)
	}
	// Every answer carries a malformed lease: the answer may be missing
	// the customer's real lease, so it proves nothing.
	g.sb.Entrata.SetFault("leases", entratasim.Fault{MalformedNext: 1000})
	if gone := g.confirm(victim); len(gone) != 0 {
		t.Fatalf("an answer with problems confirmed %v gone", gone)
	}
}

// Many absentees at once look like a partial Entrata answer: none of them
// is confirmed, even though each lookup would say "gone".
func TestConfirmGoneManyAbsenteesConfirmsNone(t *testing.T) {
	g := newGoneWorld(t)
	believed := len(g.r.a.memory("100").believed.users)
	var absent []entrata.Lease
	n := 0
	for _, l := range g.leases {
		if n >= 5 && n*5 > believed {
			break
		}
		if err := g.sb.Entrata.DeleteLease("100", l.ID); err != nil {
			t.Fatal(err)
		}
		absent = append(absent, l)
		n += len(g.owned(l))
	}
	if n < 5 || n*5 <= believed {
		t.Fatalf("only %d absentees of %d believed users; the test needs at least 5 and over 20%%", n, believed)
	}
	if gone := g.confirm(absent...); len(gone) != 0 {
		t.Fatalf("%d absentees of %d users: confirmed %v gone, want none", n, believed, gone)
	}
	if gone := g.confirm(absent[0]); len(gone) == 0 {
		t.Fatal("a single absentee is not confirmed either: the test proves nothing")
	}
}

// A former resident who moved out beyond the Past horizon drops out of the
// property's listing but still has a lease: suspended, never deleted.
func TestConfirmGoneFormerResidentBeyondTheHorizonIsSuspendedNotDeleted(t *testing.T) {
	g := newGoneWorld(t)
	former := g.leases[0]
	former.Status = entrata.LeasePast
	former.MoveOutDate = entrata.DateOf(time.Now().AddDate(0, 0, -60))
	for i := range former.Customers {
		former.Customers[i].Status = "Past"
		former.Customers[i].MoveOutDate = former.MoveOutDate
	}
	if err := g.sb.Entrata.UpsertLease("100", former); err != nil {
		t.Fatal(err)
	}
	owned := g.owned(former)
	mem := g.r.a.memory("100")
	sum := fetch(t, g.r, "")
	if len(mem.plan.confirmedGone) != 0 {
		t.Fatalf("confirmed gone %v: a Past lease beyond the horizon still exists", mem.plan.confirmedGone)
	}
	res := apply(t, g.r, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: mem.believed.token})
	if res.Changes["delete-user"] != 0 || res.Revocations != len(owned) {
		t.Fatalf("changes %v revocations %d, want %d suspended and none deleted", res.Changes, res.Revocations, len(owned))
	}
	for _, ext := range owned {
		u, ok := g.sb.Brivo.UserByExternalID(ext)
		if !ok || !u.Suspended || len(u.Groups) != 0 {
			t.Errorf("%s: found=%v %+v, want kept, suspended, with no groups", ext, ok, u)
		}
	}
}
