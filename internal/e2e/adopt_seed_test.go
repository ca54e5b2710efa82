package e2e

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

// seedHandMade enters 30 residents of the property in Brivo by hand, each
// with a card and a redeemed mobile pass: 20 matchable by e-mail (written
// in capitals, under another name), 5 by name and unit group, 3 ambiguous
// (a name match outside the unit group; two users with one resident's
// e-mail) and 2 people Entrata does not know.
func seedHandMade(t *testing.T, s *stack, site sandbox.PropertySite, entitled []access.Entitlement, at time.Time) []handMadeSeed {
	t.Helper()
	emails, names := map[string]int{}, map[string]int{}
	for _, e := range entitled {
		emails[strings.ToLower(e.Email)]++
		names[strings.ToLower(e.FirstName+" "+e.LastName)]++
	}
	type pick struct {
		e    access.Entitlement
		unit int64
	}
	var picks []pick
	for _, e := range entitled {
		unit := unitGroupOf(e, site)
		if e.Email == "" || unit == 0 || !e.Window.Contains(at) || emails[strings.ToLower(e.Email)] != 1 ||
			names[strings.ToLower(e.FirstName+" "+e.LastName)] != 1 {
			continue
		}
		picks = append(picks, pick{e, unit})
	}
	if len(picks) < 27 {
		t.Fatalf("only %d current residents with a unique e-mail, name and a unit group; want 27", len(picks))
	}
	building := site.BuildingGroups[0]
	var out []handMadeSeed
	add := func(h brivosim.HandMade, want string) {
		h.CardRef = fmt.Sprintf("card-%d", len(out)+1)
		u, err := s.sb.Brivo.CreateHandMadeUser(h)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, handMadeSeed{user: u, want: want})
	}
	for i, p := range picks[:20] {
		add(brivosim.HandMade{FirstName: "Tenant", LastName: fmt.Sprint(i), Email: strings.ToUpper(p.e.Email),
			Groups: []int64{building, p.unit}, MobilePass: true}, p.e.ExternalID)
	}
	for i, p := range picks[20:25] {
		email := ""
		if i%2 == 1 {
			email = fmt.Sprintf("old-address-%d@example.org", i)
		}
		add(brivosim.HandMade{FirstName: strings.ToLower(p.e.FirstName), LastName: " " + p.e.LastName, Email: email,
			Groups: []int64{building, p.unit}, MobilePass: true}, p.e.ExternalID)
	}
	// A name match without the unit group: ambiguous.
	add(brivosim.HandMade{FirstName: picks[25].e.FirstName, LastName: picks[25].e.LastName,
		Groups: []int64{building}, MobilePass: true}, "")
	// Two hand-made users with one resident's e-mail: both ambiguous.
	for range 2 {
		add(brivosim.HandMade{FirstName: "Twin", LastName: "Record", Email: picks[26].e.Email,
			Groups: []int64{building, picks[26].unit}, MobilePass: true}, "")
	}
	// People Entrata does not know: listed, never revoked.
	for i := range 2 {
		add(brivosim.HandMade{FirstName: "Visitor", LastName: fmt.Sprint("Zed", i), Email: fmt.Sprintf("visitor-%d@example.net", i),
			Groups: []int64{building}, MobilePass: true}, "")
	}
	return out
}

// unitGroupOf returns the Brivo group of the resident's unit at the site.
func unitGroupOf(e access.Entitlement, site sandbox.PropertySite) int64 {
	for _, g := range e.Grants {
		if !strings.Contains(g.Reason, "unit ") {
			continue
		}
		for _, id := range site.UnitGroups {
			if id == g.GroupID {
				return id
			}
		}
	}
	return 0
}

func seedByExt(seeds []handMadeSeed, ext string) *handMadeSeed {
	for i := range seeds {
		if seeds[i].want == ext {
			return &seeds[i]
		}
	}
	return nil
}

func isTransitionKind(k string) bool {
	return k == access.KindMoveIn || k == access.KindMoveOut || k == access.KindGroupAdd || k == access.KindGroupRemove
}

func credentialIDs(u brivosim.UserState) []int64 {
	var ids []int64
	for _, c := range u.Credentials {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	return ids
}

func userByID(t *testing.T, s *stack, id int64) brivosim.UserState {
	t.Helper()
	for _, u := range s.sb.Brivo.Users() {
		if u.ID == id {
			return u
		}
	}
	t.Fatalf("no Brivo user %d", id)
	return brivosim.UserState{}
}

// doorsOpen lists the access points the person can open at t.
func (s *stack) doorsOpen(person string, at time.Time) []int64 {
	var out []int64
	for _, g := range s.sb.Brivo.Groups() {
		for _, ap := range g.AccessPointIDs {
			if !slices.Contains(out, ap) && s.sb.Brivo.CanOpen(person, ap, at) {
				out = append(out, ap)
			}
		}
	}
	slices.Sort(out)
	return out
}

// switchToApply rewrites the mapping without mode: preview and restarts the
// worker, as an operator would.
func (s *stack) switchToApply(t *testing.T, propertyID string) {
	t.Helper()
	var path string
	for _, kv := range s.env {
		if v, ok := strings.CutPrefix(kv, "SYNC_MAPPING_FILE="); ok {
			path = v
		}
	}
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), "mode: preview") {
		t.Fatalf("mapping %s: %v\n%s", path, err, data)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), "    mode: preview\n", "")), 0o644); err != nil {
		t.Fatal(err)
	}
	s.stopWorker()
	s.startWorker()
}

func entitlementsResult(t *testing.T, s *stack, policy access.PropertyPolicy) access.Result {
	t.Helper()
	groups := s.sb.Brivo.Groups()
	dir := make(access.GroupDirectory, len(groups))
	for _, g := range groups {
		dir.Add(g.Name, g.ID)
	}
	for _, pd := range s.sb.Entrata.Portfolio().Properties {
		if pd.Property.ID == policy.PropertyID {
			return access.Entitle(policy, pd.Units, pd.Leases, dir)
		}
	}
	t.Fatalf("no property %s", policy.PropertyID)
	return access.Result{}
}

// entitlementsNow are the residents entitled now or later (the ones the sync
// provisions).
func entitlementsNow(t *testing.T, s *stack, policy access.PropertyPolicy, at time.Time) []access.Entitlement {
	var out []access.Entitlement
	for _, e := range entitlementsResult(t, s, policy).Entitlements {
		if !e.Window.Empty() && (e.Window.To == nil || at.Before(*e.Window.To)) {
			out = append(out, e)
		}
	}
	return out
}

// pastCustomer returns a customer whose access at the property is over.
func pastCustomer(t *testing.T, s *stack, r access.Result) string {
	t.Helper()
	active := map[string]bool{}
	for _, e := range r.Entitlements {
		if e.Window.To == nil || time.Now().Before(*e.Window.To) {
			active[e.CustomerID] = true
		}
	}
	for _, pd := range s.sb.Entrata.Portfolio().Properties {
		for _, l := range pd.Leases {
			for _, c := range l.Customers {
				if l.Status == entrata.LeasePast && !active[c.ID] && !strings.EqualFold(c.Type, "Guarantor") {
					return c.ID
				}
			}
		}
	}
	return ""
}
