package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

// TestMessyRoommateRecordEndToEnd is issue 10, case 1, on a real dev server
// with the real worker: after access was granted, one roommate's Entrata
// record turns malformed (move-out before move-in, then listed twice).
// Expected: the referee shows the other roommate keeps access at every
// instant; the malformed customer's Brivo record is left exactly as it was;
// the problem is reported by lease and customer id.
func TestMessyRoommateRecordEndToEnd(t *testing.T) {
	needCLI(t)
	s := startStack(t, sandbox.Options{Seed: 7, Properties: 1, Units: 20, Now: time.Now()}, nil)
	if rep := s.discover(); len(rep.Started) != 1 {
		t.Fatalf("discovery report %+v: want 1 property started", rep)
	}
	s.converged(60 * time.Second)

	lease, bad, roommate := householdOfTwo(t, s, "100")
	entrance := s.sb.Sites[0].EntranceAP
	for _, id := range []string{bad, roommate} {
		if !s.sb.Brivo.CanOpen(access.ExternalID(id), entrance, time.Now()) {
			t.Fatalf("customer %s cannot open the entrance before the test", id)
		}
	}
	before := brivoRecord(t, s, bad)
	from := time.Now()

	malformed := []struct {
		name    string
		corrupt func(l *entrata.Lease)
	}{
		{"move-out before move-in", func(l *entrata.Lease) {
			for i := range l.Customers {
				if l.Customers[i].ID == bad {
					l.Customers[i].MoveInDate = entrata.DateOf(time.Now().AddDate(0, 0, -10))
					l.Customers[i].MoveOutDate = entrata.DateOf(time.Now().AddDate(0, 0, -20))
				}
			}
		}},
		{"listed twice", func(l *entrata.Lease) {
			for _, c := range l.Customers {
				if c.ID == bad {
					l.Customers = append(l.Customers, c)
					return
				}
			}
		}},
	}
	for _, m := range malformed {
		l := lease
		l.Customers = append([]entrata.Customer(nil), lease.Customers...)
		m.corrupt(&l)
		if err := s.sb.Entrata.UpsertLease("100", l); err != nil {
			t.Fatal(err)
		}
		rep := s.sync("100")
		if rep.Error != "" || !rep.Fetched || rep.Problems == 0 {
			t.Fatalf("%s: sync report %+v: want a fetch with the problem reported", m.name, rep)
		}
		if !strings.Contains(strings.Join(rep.ProblemSample, "\n"), "lease "+lease.ID+" customer "+bad) {
			t.Errorf("%s: problems %q: want one naming lease %s and customer %s", m.name, rep.ProblemSample, lease.ID, bad)
		}
		s.sync("100") // a second cycle changes nothing either
		if after := brivoRecord(t, s, bad); after != before {
			t.Errorf("%s: the malformed customer's Brivo record changed:\n before %s\n after  %s", m.name, before, after)
		}
	}
	time.Sleep(time.Second)
	to := time.Now()
	want, err := s.sb.Expected(from, to)
	if err != nil {
		t.Fatal(err)
	}
	ext := access.ExternalID(roommate)
	got := brivosim.CompareAccess(s.sb.Brivo.PopulationAccess(from, to), want)
	if pr, ok := got.ByPerson[ext]; ok {
		t.Errorf("roommate %s over [%s, %s): over-grant %s, under-grant %s; want neither at any instant",
			ext, from.Format(time.RFC3339), to.Format(time.RFC3339), pr.Over, pr.Under)
	}
	if len(want[ext]) == 0 {
		t.Errorf("roommate %s is not entitled to anything: the test proves nothing", ext)
	}
	for who, pr := range got.ByPerson {
		if who != access.ExternalID(bad) {
			t.Errorf("%s: over %s under %s (only the malformed customer, left as is, may differ)", who, pr.Over, pr.Under)
		}
	}
}

// householdOfTwo finds a Current lease with no move-out and two residents
// who both have Brivo access now: the bad roommate and the other one.
func householdOfTwo(t *testing.T, s *stack, propertyID string) (entrata.Lease, string, string) {
	t.Helper()
	for _, pd := range s.sb.Entrata.Portfolio().Properties {
		if pd.Property.ID != propertyID {
			continue
		}
		for _, l := range pd.Leases {
			if l.Status != entrata.LeaseCurrent || !l.MoveOutDate.IsZero() || transferred(pd.Leases, l) {
				continue
			}
			var ids []string
			for _, c := range l.Customers {
				if !strings.EqualFold(c.Type, "Guarantor") && c.Status == "Current" && c.MoveOutDate.IsZero() {
					ids = append(ids, c.ID)
				}
			}
			if len(ids) >= 2 {
				return l, ids[0], ids[1]
			}
		}
	}
	t.Fatalf("no Current lease with two residents at property %s", propertyID)
	return entrata.Lease{}, "", ""
}

// brivoRecord renders what a Brivo user can open: suspension, groups and
// credential windows (not timestamps or custom fields).
func brivoRecord(t *testing.T, s *stack, customerID string) string {
	t.Helper()
	u := mustUser(t, s, customerID)
	b, err := json.Marshal(struct {
		Suspended   bool
		From, To    *time.Time
		Groups      []int64
		Credentials []brivosim.CredentialState
	}{u.Suspended, u.EffectiveFrom, u.EffectiveTo, u.Groups, u.Credentials})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
