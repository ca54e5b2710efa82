package e2e

import (
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

// The scenario's expectations written by hand from the rules in
// access/doc.go, as instants and Brivo group ids: a second "should" side
// that does not run access.Entitle. Each is checked against the referee
// (what Brivo let people open) and against the policy-derived side
// (sandbox.Expected): all three must agree.

// Default property times in the sandbox's mapping (access/doc.go, "Windows").
const startHour, endHour = 10, 16

func site(s *stack, propertyID string) sandbox.PropertySite {
	for _, ps := range s.sb.Sites {
		if ps.PropertyID == propertyID {
			return ps
		}
	}
	s.t.Fatalf("no site for property %s", propertyID)
	return sandbox.PropertySite{}
}

func zone(t *testing.T, ps sandbox.PropertySite) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(ps.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// doors lists the groups a resident of the unit opens: every building group
// of the property, and the unit's own group.
func doors(t *testing.T, s *stack, propertyID, unitID string) []int64 {
	t.Helper()
	ps := site(s, propertyID)
	for _, pd := range s.sb.Entrata.Portfolio().Properties {
		for _, u := range pd.Units {
			if pd.Property.ID == propertyID && u.ID == unitID {
				g, ok := ps.UnitGroups[u.Number]
				if !ok {
					t.Fatalf("unit %s of %s has no Brivo group: pick another lease", u.Number, propertyID)
				}
				return append(append([]int64{}, ps.BuildingGroups...), g)
			}
		}
	}
	t.Fatalf("no unit %s at %s", unitID, propertyID)
	return nil
}

// at is a day's wall clock in a zone.
func at(d entrata.Date, hour, minute, second int, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, second, 0, loc)
}

// demoByHand: the demo resident moving in opens the entrance and their unit
// from the move-in instant (the property's start time on the move-in day),
// open-ended; the one moving out from their move-in day (400 days before the
// move-out) at the start time until the move-out instant.
func demoByHand(t *testing.T, s *stack) []sandbox.HandGrant {
	t.Helper()
	d := s.sb.Demo
	ps := site(s, d.MoveIn.PropertyID)
	loc := zone(t, ps)
	units := s.sb.Entrata.Portfolio().Properties[0].Units
	in, out := d.MoveIn.At.In(loc), d.MoveOut.At.In(loc)
	outDay := entrata.DateOf(out).AddDays(-400)
	return []sandbox.HandGrant{
		{ExternalID: d.MoveIn.ExternalID, Groups: doors(t, s, ps.PropertyID, units[0].ID), From: d.MoveIn.At},
		{ExternalID: d.MoveOut.ExternalID, Groups: doors(t, s, ps.PropertyID, units[1].ID),
			From: at(outDay, in.Hour(), in.Minute(), in.Second(), loc), To: d.MoveOut.At},
	}
}

// leaseChangesByHand, for the renewal, the early move-out and the transfer:
// the renewed resident keeps their doors with no end; the early leaver
// (move-out date yesterday) opens nothing; the transferred resident keeps
// the building groups and opens the new unit from the transfer day at the
// start time, and no longer the old one (it ended yesterday at the end time).
func leaseChangesByHand(t *testing.T, s *stack, renew, early, move entrata.Lease, newUnitID string, day entrata.Date) []sandbox.HandGrant {
	t.Helper()
	long := time.Now().AddDate(-5, 0, 0) // "since long ago": the check looks at now only
	moveLoc := zone(t, site(s, "102"))
	newDoors := doors(t, s, "102", newUnitID)
	oldDoors := doors(t, s, "102", move.UnitID)
	return []sandbox.HandGrant{
		{ExternalID: access.ExternalID(primaryOf(renew)), Groups: doors(t, s, "101", renew.UnitID), From: long},
		{ExternalID: access.ExternalID(primaryOf(early))},
		{ExternalID: access.ExternalID(primaryOf(move)), Groups: site(s, "102").BuildingGroups, From: long},
		{ExternalID: access.ExternalID(primaryOf(move)), Groups: oldDoors[len(oldDoors)-1:], From: long,
			To: at(day, endHour, 0, 0, moveLoc)},
		{ExternalID: access.ExternalID(primaryOf(move)), Groups: newDoors[len(newDoors)-1:],
			From: at(day, startHour, 0, 0, moveLoc)},
	}
}

// checkByHand compares the hand-written table over [from, to) with the
// referee (within tolerance, for the worker's reaction time) and with the
// policy-derived expectation (exactly).
func checkByHand(t *testing.T, s *stack, hand []sandbox.HandGrant, from, to time.Time, tolerance time.Duration) {
	t.Helper()
	var people []string
	seen := map[string]bool{}
	for _, g := range hand {
		if !seen[g.ExternalID] {
			seen[g.ExternalID] = true
			people = append(people, g.ExternalID)
		}
	}
	want := s.sb.ExpectedByHand(hand, from, to)
	actual := sandbox.Only(s.sb.Brivo.PopulationAccess(from, to), people...)
	if r := brivosim.CompareAccess(actual, want); r.OverGrant > tolerance || r.UnderGrant > tolerance {
		t.Errorf("Brivo vs the hand-written table over %s..%s: over %s under %s (limit %s): %v",
			from.Format(time.TimeOnly), to.Format(time.TimeOnly), r.OverGrant, r.UnderGrant, tolerance, firstPeople(r))
	}
	policy, err := s.sb.Expected(from, to)
	if err != nil {
		t.Fatal(err)
	}
	if r := brivosim.CompareAccess(sandbox.Only(policy, people...), want); r.OverGrant != 0 || r.UnderGrant != 0 {
		t.Errorf("the policy (access.Entitle) vs the hand-written table: over %s under %s: %v",
			r.OverGrant, r.UnderGrant, firstPeople(r))
	}
}
