package access

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// portfolio is one generated property: its policy, units, leases and Brivo
// group directory.
type portfolio struct {
	policy PropertyPolicy
	units  []entrata.Unit
	leases []entrata.Lease
	groups GroupDirectory
}

func pick[T any](rng *rand.Rand, xs ...T) T { return xs[rng.IntN(len(xs))] }

var genBase = entrata.MustDate(2025, 6, 1)

// genPortfolio builds a deterministic random property with nLeases leases,
// including every kind of awkward record the policy must survive. With
// clean set it leaves out malformed records (for benchmarks).
func genPortfolio(rng *rand.Rand, nLeases int, clean bool) portfolio {
	p := PropertyPolicy{PropertyID: "100", Location: pick(rng, denver, chicago),
		BuildingGroupIDs: []int64{5001, 5002}, Units: map[string]int64{}, UnitGroupName: "Unit {unitNumber}"}
	times := pick(rng, [2]ClockTime{{Hour: 10}, {Hour: 16}}, [2]ClockTime{{Hour: 2, Minute: 30}, {Hour: 16}},
		[2]ClockTime{{Hour: 9}, {Hour: 17, Second: 30}})
	p.Start, p.End = times[0], times[1]
	pf := portfolio{policy: p, groups: GroupDirectory{}}
	nUnits := nLeases/2 + 5
	for i := range nUnits {
		u := entrata.Unit{ID: fmt.Sprintf("U%04d", i), PropertyID: "100", Number: fmt.Sprint(100 + i), BuildingName: pick(rng, "A", "B")}
		pf.units = append(pf.units, u)
		switch r := rng.IntN(10); {
		case r < 7:
			p.Units[u.ID] = int64(60000 + i)
		case r < 9:
			pf.groups.Add("Unit "+u.Number, int64(70000+i))
		}
	}
	nCust := nLeases*3/2 + 3
	for i := range nLeases {
		pf.leases = append(pf.leases, genLease(rng, i, nUnits, nCust, clean))
	}
	return pf
}

func genDate(rng *rand.Rand, zeroChance int) entrata.Date {
	if rng.IntN(100) < zeroChance {
		return entrata.Date{}
	}
	return genBase.AddDays(rng.IntN(700))
}

func genLease(rng *rand.Rand, i, nUnits, nCust int, clean bool) entrata.Lease {
	l := entrata.Lease{ID: fmt.Sprintf("L%05d", i), PropertyID: "100",
		Status: pick(rng, entrata.LeaseCurrent, entrata.LeaseCurrent, entrata.LeaseCurrent, entrata.LeaseFuture,
			entrata.LeaseNotice, entrata.LeasePast, entrata.LeasePast, entrata.LeaseApplicant, entrata.LeaseCancelled),
		UnitID: fmt.Sprintf("U%04d", rng.IntN(nUnits)), MoveInDate: genDate(rng, 3)}
	if rng.IntN(2) == 0 && !l.MoveInDate.IsZero() {
		l.MoveOutDate = l.MoveInDate.AddDays(rng.IntN(400) - 10)
	}
	if !clean && rng.IntN(50) == 0 {
		l.UnitID = "UX"
	}
	if !clean && rng.IntN(100) == 0 {
		l.Status = entrata.LeaseStatus(9)
	}
	if i > 0 && rng.IntN(20) == 0 {
		l.ParentLeaseID = fmt.Sprintf("L%05d", rng.IntN(i))
		l.TransferDate = l.MoveInDate
	}
	if rng.IntN(10) == 0 {
		l.IsMonthToMonth = true
		l.Intervals = []entrata.LeaseInterval{{ID: l.ID + "-1", StartDate: l.MoveInDate, EndDate: l.MoveInDate.AddDays(365), TypeID: entrata.IntervalApplication}}
	}
	for range 1 + rng.IntN(3) {
		c := entrata.Customer{ID: fmt.Sprintf("C%05d", rng.IntN(nCust)),
			Type:   pick(rng, "Primary", "Co-Applicant", "Occupant", "Guarantor", "guarantor", "Roommate"),
			Status: pick(rng, "Current", "Current", "Future", "Notice", "Past", "Cancelled", "")}
		c.FirstName, c.LastName, c.Email = "F"+c.ID, "L"+c.ID, c.ID+"@example.com"
		if rng.IntN(5) == 0 {
			c.MoveInDate = genDate(rng, 50)
			if rng.IntN(2) == 0 && !c.MoveInDate.IsZero() {
				c.MoveOutDate = c.MoveInDate.AddDays(rng.IntN(200))
			}
		}
		if clean && (c.MoveInDate.IsZero() && l.MoveInDate.IsZero() || c.MoveOutDate.Before(c.MoveInDate)) {
			c.MoveInDate, c.MoveOutDate = genBase, entrata.Date{}
		}
		l.Customers = append(l.Customers, c)
		if !clean && rng.IntN(50) == 0 {
			l.Customers = append(l.Customers, c)
		}
	}
	if clean {
		l.MoveInDate = cmpOrDate(l.MoveInDate, genBase)
		if l.MoveOutDate.Before(l.MoveInDate) {
			l.MoveOutDate = entrata.Date{}
		}
		slices.SortFunc(l.Customers, func(a, b entrata.Customer) int { return compareStr(a.ID, b.ID) })
		l.Customers = slices.CompactFunc(l.Customers, func(a, b entrata.Customer) bool { return a.ID == b.ID })
	}
	return l
}

func cmpOrDate(d, def entrata.Date) entrata.Date {
	if d.IsZero() {
		return def
	}
	return d
}

func compareStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// observedFrom builds the Brivo state that matches d exactly.
func observedFrom(d Desired) []ObservedUser {
	var out []ObservedUser
	for i, u := range d.Users {
		if u.Suspended && len(u.GroupIDs) == 0 && i%2 == 0 {
			continue // a former resident never provisioned
		}
		out = append(out, inSync(u, int64(i+1)))
	}
	return out
}

// perturb applies random manual edits, losses and extra records to a Brivo
// state.
func perturb(rng *rand.Rand, obs []ObservedUser) []ObservedUser {
	var out []ObservedUser
	for _, o := range obs {
		o.GroupIDs = slices.Clone(o.GroupIDs)
		o.Credentials = slices.Clone(o.Credentials)
		switch rng.IntN(12) {
		case 0:
			continue // not in Brivo yet
		case 1:
			o.FirstName = "Edited"
		case 2:
			o.GroupIDs = append(o.GroupIDs, 9999)
		case 3:
			o.Suspended = !o.Suspended
		case 4:
			o.Credentials[0].From = ptr(o.Credentials[0].From.Add(-48 * time.Hour))
		case 5:
			o.Credentials[0].To = nil
		case 6:
			o.Credentials = nil
		case 7:
			if len(o.GroupIDs) > 0 {
				o.GroupIDs = o.GroupIDs[1:]
			}
		}
		out = append(out, o)
	}
	for i := range 5 {
		out = append(out, ObservedUser{BrivoID: int64(100000 + i), ExternalID: fmt.Sprintf("entrata-GONE%d", i), GroupIDs: []int64{5001}})
		out = append(out, ObservedUser{BrivoID: int64(200000 + i), ExternalID: fmt.Sprintf("staff-%d", i), GroupIDs: []int64{5001}})
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
