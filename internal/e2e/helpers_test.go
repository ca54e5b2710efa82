package e2e

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/entratasim"
)

// findLease returns the first lease of the property that matches and has a
// resident (non-guarantor, non-cancelled) customer.
func findLease(t *testing.T, p entratasim.Portfolio, propertyID string, match func(entrata.Lease) bool) entrata.Lease {
	t.Helper()
	for _, pd := range p.Properties {
		if pd.Property.ID != propertyID {
			continue
		}
		for _, l := range pd.Leases {
			if match(l) && primaryOf(l) != "" && !transferred(pd.Leases, l) {
				return l
			}
		}
	}
	t.Fatalf("no matching lease at property %s", propertyID)
	return entrata.Lease{}
}

// transferred reports whether another lease transfers from l or l is part of
// a transfer: the scenarios want plain leases.
func transferred(all []entrata.Lease, l entrata.Lease) bool {
	if l.ParentLeaseID != "" {
		return true
	}
	for _, o := range all {
		if o.ParentLeaseID == l.ID {
			return true
		}
	}
	return false
}

// primaryOf returns the customer id of the lease's first resident.
func primaryOf(l entrata.Lease) string {
	for _, c := range l.Customers {
		if !strings.EqualFold(c.Type, "Guarantor") && c.Status != "Cancelled" && c.Status != "Past" {
			return c.ID
		}
	}
	return ""
}

func vacantUnit(t *testing.T, p entratasim.Portfolio, propertyID, notUnit string) entrata.Unit {
	t.Helper()
	for _, pd := range p.Properties {
		if pd.Property.ID != propertyID {
			continue
		}
		used := map[string]bool{}
		for _, l := range pd.Leases {
			if l.Status != entrata.LeasePast && l.Status != entrata.LeaseCancelled {
				used[l.UnitID] = true
			}
		}
		for _, u := range pd.Units {
			if !used[u.ID] && u.ID != notUnit {
				return u
			}
		}
		// A full property: move in with another household, as roommates.
		for _, u := range pd.Units {
			if u.ID != notUnit {
				return u
			}
		}
	}
	t.Fatalf("no other unit at property %s", propertyID)
	return entrata.Unit{}
}

// payloadTexts returns the decoded data of every payload in the CLI's JSON
// output, where payload data is base64.
func payloadTexts(out string) string {
	var b strings.Builder
	for _, m := range payloadData.FindAllStringSubmatch(out, -1) {
		if d, err := base64.StdEncoding.DecodeString(m[1]); err == nil {
			b.Write(d)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

var payloadData = regexp.MustCompile(`"data":\s*"([A-Za-z0-9+/=]+)"`)

func mustUser(t *testing.T, s *stack, customerID string) brivosim.UserState {
	t.Helper()
	u, ok := s.sb.Brivo.UserByExternalID(access.ExternalID(customerID))
	if !ok {
		t.Fatalf("no Brivo user for customer %s", customerID)
	}
	return u
}

// activeResident returns a Brivo user of the property who can open its
// entrance now.
func activeResident(t *testing.T, s *stack, propertyID string) brivosim.UserState {
	t.Helper()
	var site = s.sb.Sites[0]
	for _, ps := range s.sb.Sites {
		if ps.PropertyID == propertyID {
			site = ps
		}
	}
	users := s.sb.Brivo.Users()
	sort.Slice(users, func(i, j int) bool { return users[i].ExternalID < users[j].ExternalID })
	for _, u := range users {
		if access.Owned(u.ExternalID) && s.sb.Brivo.CanOpen(u.ExternalID, site.EntranceAP, time.Now()) {
			return u
		}
	}
	t.Fatalf("no active resident at %s", propertyID)
	return brivosim.UserState{}
}

func contains(ids []int64, id int64) bool { return slices.Contains(ids, id) }

// addFutureResidents adds n new leases moving in next week and returns their
// external ids.
func addFutureResidents(t *testing.T, s *stack, propertyID string, n int) []string {
	t.Helper()
	p := s.sb.Entrata.Portfolio()
	var units []entrata.Unit
	for _, pd := range p.Properties {
		if pd.Property.ID == propertyID {
			units = pd.Units
		}
	}
	moveIn := entrata.DateOf(time.Now().AddDate(0, 0, 7))
	var ids []string
	for i := range n {
		cid := fmt.Sprint(8800000 + i)
		l := entrata.Lease{
			ID: fmt.Sprint(880000 + i), PropertyID: propertyID, Status: entrata.LeaseFuture,
			UnitID: units[i%len(units)].ID, MoveInDate: moveIn,
			Customers: []entrata.Customer{{ID: cid, Type: "Primary", Relationship: "Primary", Status: "Future",
				FirstName: "New", LastName: fmt.Sprint("Resident", i), Email: fmt.Sprintf("new.%d@example.com", i), MoveInDate: moveIn}},
		}
		if err := s.sb.Entrata.UpsertLease(propertyID, l); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, access.ExternalID(cid))
	}
	return ids
}

func countExisting(s *stack, ids []string) int {
	n := 0
	for _, id := range ids {
		if _, ok := s.sb.Brivo.UserByExternalID(id); ok {
			n++
		}
	}
	return n
}

// firstPeople names a few people with a gap, for failure messages.
func firstPeople(r brivosim.Report) []string {
	var out []string
	for p, pr := range r.ByPerson {
		out = append(out, fmt.Sprintf("%s(over %s under %s)", p, pr.Over, pr.Under))
	}
	slices.Sort(out)
	if len(out) > 8 {
		out = out[:8]
	}
	return out
}
