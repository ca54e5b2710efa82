package access

import (
	"slices"
	"testing"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// Scenarios of issue 10: messy Entrata data never takes access away from
// the wrong person, nor gives it to the wrong one. Each test states the
// expected outcome in its name and in want.

func invalid(c entrata.Customer, why string) entrata.Customer {
	c.Invalid = why
	return c
}

// Case 1 (policy side; the decoder side is in internal/entrata's
// pipeline tests): a roommate whose record the decoder could not use is
// left as they are, and the others keep exactly what their data gives.
func TestMessy1MalformedRoommateLeavesTheHouseholdAlone(t *testing.T) {
	roommate := cust("2", "Occupant", "Current")
	runScenarios(t, []scenario{
		{name: "invalid customer untouchable; roommate keeps unit and building",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "",
				invalid(primary("1"), "customers[1].moveOutDate: before moveInDate"), roommate)},
			want:        map[string]string{"entrata-2": same(sp(mar1, open), 5001, 6001)},
			untouchable: []string{"entrata-1"}},
		{name: "invalid lease: every customer on it untouchable, nobody taken for gone",
			leases: []entrata.Lease{func() entrata.Lease {
				l := lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"), roommate)
				l.Invalid = "moveInDate: not an MM/DD/YYYY date"
				return l
			}()},
			want:        map[string]string{},
			untouchable: []string{"entrata-1", "entrata-2"}},
	})
}

// Case 2: unit groups resolved by name never hand a resident a door that
// another unit's name also resolves to.
func TestMessy2AmbiguousUnitGroupIsAProblemNotAStrangersDoor(t *testing.T) {
	twoBuildings := []entrata.Unit{
		{ID: "A101", PropertyID: "100", Number: "101", BuildingName: "A"},
		{ID: "B101", PropertyID: "100", Number: "101", BuildingName: "B"},
		{ID: "A102", PropertyID: "100", Number: "102", BuildingName: "A"},
	}
	byName := func(p *PropertyPolicy) { p.Units, p.UnitGroupName = nil, "Unit {unitNumber}" }
	runScenarios(t, []scenario{
		{name: "two buildings with unit 101: neither unit gets the group, both keep the building",
			policy: byName, units: twoBuildings,
			groups: GroupDirectory{"Unit 101": {7101}, "Unit 102": {7102}},
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "A101", "2026-03-01", "", primary("1")),
				lease("L2", entrata.LeaseCurrent, "B101", "2026-03-01", "", primary("2")),
				lease("L3", entrata.LeaseCurrent, "A102", "2026-03-01", "", primary("3"))},
			want: map[string]string{"entrata-1": same(sp(mar1, open), 5001), "entrata-2": same(sp(mar1, open), 5001),
				"entrata-3": same(sp(mar1, open), 5001, 7102)},
			problems: []string{"unit A101: Brivo group 7101 would serve units A101, B101",
				"unit B101: Brivo group 7101 would serve units A101, B101"}},
		{name: "vacant twin still makes the name ambiguous",
			policy: byName, units: twoBuildings, groups: GroupDirectory{"Unit 101": {7101}},
			leases:   []entrata.Lease{lease("L1", entrata.LeaseCurrent, "A101", "2026-03-01", "", primary("1"))},
			want:     map[string]string{"entrata-1": same(sp(mar1, open), 5001)},
			problems: []string{"unit A101: Brivo group 7101 would serve units A101, B101"}},
		{name: "group name used twice in the account: the unit gets neither group",
			policy: byName, groups: GroupDirectory{"Unit 104": {7104, 8104}},
			leases:   []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U4", "2026-03-01", "", primary("1"))},
			want:     map[string]string{"entrata-1": same(sp(mar1, open), 5001)},
			problems: []string{`unit U4: group name "Unit 104" matches 2 Brivo groups`}},
		{name: "{buildingName} tells the twins apart",
			policy: func(p *PropertyPolicy) { p.Units, p.UnitGroupName = nil, "{buildingName}-{unitNumber}" },
			units:  twoBuildings, groups: GroupDirectory{"A-101": {7101}, "B-101": {7201}},
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "A101", "2026-03-01", "", primary("1")),
				lease("L2", entrata.LeaseCurrent, "B101", "2026-03-01", "", primary("2"))},
			want: map[string]string{"entrata-1": same(sp(mar1, open), 5001, 7101), "entrata-2": same(sp(mar1, open), 5001, 7201)}},
	})
	p := testPolicy()
	byName(&p)
	if got := UnitNumberClashes(p, twoBuildings); len(got) != 1 || got[0] != "101" {
		t.Errorf("UnitNumberClashes = %v, want [101] (the start-up warning)", got)
	}
	p.UnitGroupName = "{buildingName}-{unitNumber}"
	if got := UnitNumberClashes(p, twoBuildings); got != nil {
		t.Errorf("UnitNumberClashes with {buildingName} = %v, want none", got)
	}
}

// Case 3: a transfer whose old lease has no move-out keeps the old door
// until the new one opens, and the building never lapses.
func TestMessy3TransferKeepsTheOldDoorUntilTheNewMoveIn(t *testing.T) {
	old := lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"))
	newLease := lease("L2", entrata.LeaseFuture, "U2", "2026-06-10", "", primary("1"))
	const jun10in = "2026-06-10 10:00:00 MDT"
	want := map[string]string{"entrata-1": ent(sp(mar1, open), gr(5001, sp(mar1, open)),
		gr(6001, sp(mar1, jun10in)), gr(6002, sp(jun10in, open)))}
	runScenarios(t, []scenario{
		{name: "transfer date before the new move-in: old unit until the new move-in instant",
			leases: []entrata.Lease{old, transfer(newLease, "L1", "2026-06-01")}, want: want,
			check: desiredGroups("entrata-1", map[string][]int64{"2026-06-05 12:00": {5001, 6001}, "2026-06-10 10:00": {5001, 6002}})},
		{name: "transfer interval starting before the new move-in: same",
			leases: []entrata.Lease{old, withIntervals(transfer(newLease, "L1", ""),
				entrata.LeaseInterval{ID: "I9", StartDate: date("2026-05-25"), TypeID: entrata.IntervalTransfer})},
			want: want},
	})
}

// Case 4: a customer Entrata reports Past leaves at their own move-out,
// or at once without one, whatever the lease's status.
func TestMessy4PastRoommateTreatedAlikeOnCurrentAndNoticeLeases(t *testing.T) {
	past := cust("2", "Occupant", "Past")
	pastWithDate := custDates(past, "", "2026-04-15")
	const apr15 = "2026-04-15 16:00:00 MDT"
	scenarios := []scenario{}
	for _, st := range []entrata.LeaseStatus{entrata.LeaseCurrent, entrata.LeaseNotice} {
		scenarios = append(scenarios,
			scenario{name: st.String() + " lease: past roommate without own move-out gets nothing",
				leases: []entrata.Lease{lease("L1", st, "U1", "2026-03-01", "2026-06-30", primary("1"), past)},
				want:   map[string]string{"entrata-1": same(sp(mar1, jun30), 5001, 6001)}},
			scenario{name: st.String() + " lease: past roommate leaves at their own move-out",
				leases: []entrata.Lease{lease("L1", st, "U1", "2026-03-01", "2026-06-30", primary("1"), pastWithDate)},
				want: map[string]string{"entrata-1": same(sp(mar1, jun30), 5001, 6001),
					"entrata-2": same(sp(mar1, apr15), 5001, 6001)}})
	}
	runScenarios(t, scenarios)
}

// Case 5: a Future roommate with no move-in of their own on a lease that
// has begun gets nothing until Entrata gives a date; it is reported.
func TestMessy5FutureRoommateWithoutMoveInWaits(t *testing.T) {
	future := cust("2", "Occupant", "Future")
	runScenarios(t, []scenario{
		{name: "no own move-in on a current lease: no access, reported",
			leases:      []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"), future)},
			want:        map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001)},
			untouchable: []string{"entrata-2"},
			problems:    []string{"lease L1 customer 2: moveInDate: future customer on a Current lease has no move-in date"}},
		{name: "own move-in given: access from that date",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"), custDates(future, "2026-05-01", ""))},
			want:   map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001), "entrata-2": same(sp(may1, open), 5001, 6001)}},
		{name: "on a future lease the lease's move-in is theirs",
			leases: []entrata.Lease{lease("L1", entrata.LeaseFuture, "U1", "2026-05-01", "", cust("1", "Primary", "Future"))},
			want:   map[string]string{"entrata-1": same(sp(may1, open), 5001, 6001)}},
	})
}

// Case 6: one bad lease does not freeze the person: the ends of their good
// leases are enforced and the bad lease grants nothing.
func TestMessy6BadNewLeaseDoesNotFreezeTheNoticeMoveOut(t *testing.T) {
	const may31 = "2026-05-31 16:00:00 MDT"
	runScenarios(t, []scenario{
		{name: "notice lease ending the 31st plus a future lease with an unknown unit: move-out enforced",
			leases: []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-03-01", "2026-05-31", primary("1")),
				lease("L2", entrata.LeaseFuture, "U99", "2026-06-01", "", cust("1", "Primary", "Future"))},
			want:     map[string]string{"entrata-1": same(sp(mar1, may31), 5001, 6001)},
			problems: []string{`lease L2: unitId: unknown unit "U99"`}},
		{name: "bad current lease and a good future one: left as is (the good lease says nothing about now)",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U99", "2026-03-01", "", primary("1")),
				lease("L2", entrata.LeaseFuture, "U2", "2026-06-01", "", cust("1", "Primary", "Future"))},
			want:        map[string]string{},
			untouchable: []string{"entrata-1"},
			problems:    []string{`lease L1: unitId: unknown unit "U99"`}},
	})
}

// Case 8: a transfer interval without a parent lease ends no other lease;
// the missing parent is reported.
func TestMessy8TransferWithoutParentEndsNoOtherLease(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "transfer interval without parent: both leases stand, problem reported",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1")),
				lease("L3", entrata.LeaseCurrent, "U3", "2026-01-01", "", primary("1")),
				withIntervals(lease("L2", entrata.LeaseFuture, "U2", "2026-06-01", "", primary("1")),
					entrata.LeaseInterval{ID: "I9", StartDate: date("2026-06-01"), TypeID: entrata.IntervalTransfer})},
			want: map[string]string{"entrata-1": ent(sp("2026-01-01 10:00:00 MST", open),
				gr(5001, sp("2026-01-01 10:00:00 MST", open)), gr(6001, sp(mar1, open)), gr(6002, sp(jun1in, open)),
				gr(6003, sp("2026-01-01 10:00:00 MST", open)))},
			problems: []string{"lease L2: parentLeaseId: transfer interval without a parent lease"}},
	})
}

// Case 1, the person nobody can name: a customer record whose id cannot be
// read may be any Brivo user missing from the answer, so none of them is
// revoked for being absent; a deletion Entrata confirmed still applies.
func TestMessy1UnreadableCustomerIDHoldsAbsentRevocations(t *testing.T) {
	l := lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"))
	l.Unidentified = 1
	r := Entitle(testPolicy(), testUnits, []entrata.Lease{l}, nil)
	if !r.HoldAbsent || len(r.Problems) != 1 {
		t.Fatalf("HoldAbsent = %v, problems %v; want held and one problem", r.HoldAbsent, r.Problems)
	}
	absent := []ObservedUser{inSync(desiredUser("entrata-7", 5001, 6002), 7), inSync(desiredUser("entrata-8", 5001), 8)}
	d := DesiredAt(r, at(denver, "2026-03-10 12:00"))
	cs := Diff(d, absent, DiffOptions{ConfirmedGone: map[string]bool{"entrata-8": true}})
	if got := kinds(cs); !slices.Equal(got, []string{"create-user entrata-1", "change-groups entrata-1", "delete-user entrata-8"}) {
		t.Errorf("changes %q: want entrata-7 left as is, entrata-8 deleted (confirmed gone)", got)
	}
}
