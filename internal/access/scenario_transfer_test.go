package access

import (
	"slices"
	"testing"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

func transfer(l entrata.Lease, parent, on string) entrata.Lease {
	l.ParentLeaseID, l.TransferDate = parent, date(on)
	return l
}

const (
	jun1in  = "2026-06-01 10:00:00 MDT"
	jun1out = "2026-06-01 16:00:00 MDT"
)

// desiredGroups checks the groups DesiredAt gives one user at local times.
func desiredGroups(ext string, want map[string][]int64) func(*testing.T, Result) {
	return func(t *testing.T, r Result) {
		t.Helper()
		for when, groups := range want {
			u, ok := findUser(DesiredAt(r, at(denver, when)), ext)
			if !ok || !slices.Equal(u.GroupIDs, groups) || u.Suspended {
				t.Errorf("at %s %s: groups %v suspended %v, want %v", when, ext, u.GroupIDs, u.Suspended, groups)
			}
		}
	}
}

func TestScenariosTransfersAndUnions(t *testing.T) {
	old := lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"))
	runScenarios(t, []scenario{
		{name: "same-day transfer: both unit doors 10:00-16:00, no gap",
			leases: []entrata.Lease{old, transfer(lease("L2", entrata.LeaseFuture, "U2", "2026-06-01", "", cust("1", "Primary", "Future")), "L1", "2026-06-01")},
			want: map[string]string{"entrata-1": ent(sp(mar1, open), gr(5001, sp(mar1, open)),
				gr(6001, sp(mar1, jun1out)), gr(6002, sp(jun1in, open)))},
			check: desiredGroups("entrata-1", map[string][]int64{
				"2026-06-01 09:59:59": {5001, 6001}, "2026-06-01 10:00": {5001, 6001, 6002},
				"2026-06-01 15:59:59": {5001, 6001, 6002}, "2026-06-01 16:00": {5001, 6002}})},
		{name: "transfer: old lease's later move-out keeps the old door until then",
			leases: []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-03-01", "2026-06-03", primary("1")),
				transfer(lease("L2", entrata.LeaseFuture, "U2", "2026-06-01", "", primary("1")), "L1", "2026-06-01")},
			want: map[string]string{"entrata-1": ent(sp(mar1, open), gr(5001, sp(mar1, open)),
				gr(6001, sp(mar1, "2026-06-03 16:00:00 MDT")), gr(6002, sp(jun1in, open)))}},
		{name: "transfer: past old lease without move-out ends at the transfer date",
			leases: []entrata.Lease{lease("L1", entrata.LeasePast, "U1", "2026-03-01", "", cust("1", "Primary", "Past")),
				transfer(lease("L2", entrata.LeaseCurrent, "U2", "2026-06-01", "", primary("1")), "L1", "2026-06-01")},
			want: map[string]string{"entrata-1": ent(sp(mar1, open), gr(5001, sp(mar1, open)),
				gr(6001, sp(mar1, jun1out)), gr(6002, sp(jun1in, open)))}},
		{name: "transfer without transfer date ends the old lease on the new move-in day",
			leases: []entrata.Lease{old, transfer(lease("L2", entrata.LeaseFuture, "U2", "2026-06-01", "", primary("1")), "L1", "")},
			want: map[string]string{"entrata-1": ent(sp(mar1, open), gr(5001, sp(mar1, open)),
				gr(6001, sp(mar1, jun1out)), gr(6002, sp(jun1in, open)))}},
		{name: "transfer with a two-day gap: building groups bridged, unit doors not",
			leases: []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-03-01", "2026-05-30", primary("1")),
				transfer(lease("L2", entrata.LeaseFuture, "U2", "2026-06-01", "", primary("1")), "L1", "2026-05-30")},
			want: map[string]string{"entrata-1": ent(sp(mar1, open), gr(5001, sp(mar1, open)),
				gr(6001, sp(mar1, "2026-05-30 16:00:00 MDT")), gr(6002, sp(jun1in, open)))},
			check: desiredGroups("entrata-1", map[string][]int64{"2026-05-31 12:00": {5001}})},
		{name: "transfer after a month away is a move-out and a new move-in",
			leases: []entrata.Lease{lease("L1", entrata.LeasePast, "U1", "2026-03-01", "2026-05-01", cust("1", "Primary", "Past")),
				transfer(lease("L2", entrata.LeaseFuture, "U2", "2026-06-01", "", primary("1")), "L1", "2026-05-01")},
			want: map[string]string{"entrata-1": ent(sp(mar1, open), gr(5001, sp(mar1, "2026-05-01 16:00:00 MDT")),
				gr(5001, sp(jun1in, open)), gr(6001, sp(mar1, "2026-05-01 16:00:00 MDT")), gr(6002, sp(jun1in, open)))}},
		{name: "roommate who does not transfer keeps the old unit",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"), cust("2", "Occupant", "Current")),
				transfer(lease("L2", entrata.LeaseFuture, "U2", "2026-06-01", "", primary("1")), "L1", "2026-06-01")},
			want: map[string]string{
				"entrata-1": ent(sp(mar1, open), gr(5001, sp(mar1, open)), gr(6001, sp(mar1, jun1out)), gr(6002, sp(jun1in, open))),
				"entrata-2": same(sp(mar1, open), 5001, 6001)}},
		{name: "two overlapping leases give the union of their doors",
			leases: []entrata.Lease{old, lease("L2", entrata.LeaseCurrent, "U2", "2026-04-01", "", primary("1"))},
			want: map[string]string{"entrata-1": ent(sp(mar1, open), gr(5001, sp(mar1, open)),
				gr(6001, sp(mar1, open)), gr(6002, sp(apr1, open)))}},
		{name: "overlapping leases on the same unit merge into one grant",
			leases: []entrata.Lease{lease("L1", entrata.LeasePast, "U1", "2025-12-01", "2026-01-31", cust("1", "Primary", "Past")),
				lease("L2", entrata.LeaseCurrent, "U1", "2026-01-31", "", primary("1"))},
			want: map[string]string{"entrata-1": same(sp(dec1, open), 5001, 6001)}},
	})
}

func TestScenariosGroups(t *testing.T) {
	template := func(name string) func(*PropertyPolicy) {
		return func(p *PropertyPolicy) { p.Units, p.UnitGroupName = nil, name }
	}
	runScenarios(t, []scenario{
		{name: "unit group found by unitGroupName with {unitNumber}",
			policy: template("Unit {unitNumber}"), groups: GroupDirectory{"Unit 104": {7104}, "Unit 105": {7105}},
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U4", "2026-03-01", "", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, open), 5001, 7104)}},
		{name: "unitGroupName with {propertyId} and {buildingName}",
			policy: template("P{propertyId} {buildingName}{unitNumber}"), groups: GroupDirectory{"P100 B104": {7104}},
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U4", "2026-03-01", "", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, open), 5001, 7104)}},
		{name: "explicit unit map wins over unitGroupName",
			policy: func(p *PropertyPolicy) { p.UnitGroupName = "Unit {unitNumber}" }, groups: GroupDirectory{"Unit 101": {7101}},
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001)}},
		{name: "unitGroupName not in the directory: unmapped, building groups only",
			policy: template("Unit {unitNumber}"), groups: GroupDirectory{"Unit 105": {7105}},
			leases:   []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U4", "2026-03-01", "", primary("1"))},
			want:     map[string]string{"entrata-1": same(sp(mar1, open), 5001)},
			unmapped: []string{"U4"}},
		{name: "unit absent from the explicit map: unmapped, building groups only",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U4", "2026-03-01", "", primary("1")),
				lease("L2", entrata.LeaseFuture, "U5", "2026-05-01", "", primary("2"))},
			want:     map[string]string{"entrata-1": same(sp(mar1, open), 5001), "entrata-2": same(sp(may1, open), 5001)},
			unmapped: []string{"U4", "U5"}},
		{name: "unmapped unit of a past lease is not reported",
			leases: []entrata.Lease{lease("L1", entrata.LeasePast, "U4", "2025-12-01", "2026-01-31", cust("1", "Primary", "Past"))},
			want:   map[string]string{"entrata-1": same(sp(dec1, jan31), 5001)}},
	})
}
