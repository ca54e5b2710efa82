package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
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
