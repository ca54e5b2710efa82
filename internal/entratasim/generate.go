package entratasim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// GenOptions shapes a generated portfolio. Zero fields take defaults: 1
// property, 40 units each, first property id 100, and Today = 2026-01-15
// (a fixed day, so that the same options always give the same portfolio).
type GenOptions struct {
	Seed             int64
	Properties       int
	UnitsPerProperty int
	Today            entrata.Date
	FirstPropertyID  int
	// PropertyIDs, when set, are the properties' ids (Properties is then
	// their number), e.g. 10 and 100 to test that ids never match as text.
	PropertyIDs []int
}

const unitsPerFloor = 20

var (
	propertyNames = []string{"Maple Commons", "Aspen Ridge", "Cedar Point", "Willow Park", "Birch Landing", "Juniper Flats", "Spruce Court", "Alder Heights"}
	firstNames    = []string{"Avery", "Jordan", "Casey", "Morgan", "Riley", "Quinn", "Taylor", "Rowan", "Skyler", "Emerson", "Harper", "Logan", "Parker", "Reese", "Sawyer", "Blake", "Cameron", "Dakota", "Elliot", "Finley", "Hayden", "Jamie", "Kendall", "Lennon"}
	lastNames     = []string{"Stone", "Reyes", "Park", "Nguyen", "Patel", "Garcia", "Kim", "Okafor", "Novak", "Silva", "Haddad", "Larsen", "Moreau", "Tanaka", "Rossi", "Walsh", "Cohen", "Ibrahim", "Kowalski", "Mendes"}
)

// gen carries the generator's random source and id counters.
type gen struct {
	rng   *rand.Rand
	today entrata.Date
	ids   idSeq
}

// Generate builds a realistic portfolio, the same for the same options.
// About 85% of units are occupied. The mix: current residents with
// roommates (Co-Applicant, Occupant) and guarantors, cancelled customers on
// current leases, notices moving out within 60 days (some with the next
// resident's Future lease), future move-ins within 60 days, past residents
// who moved out in the last 30 days, renewals (a Renewal interval on the
// same lease id, some starting in the future), month-to-month leases, and
// transfers (a Future lease with parentLeaseId in another unit, the
// residents keeping their customer ids). Every other id is unique across
// the portfolio; every non-guarantor has a unique fake name and e-mail.
func Generate(o GenOptions) Portfolio {
	if o.Properties <= 0 {
		o.Properties = 1
	}
	if o.UnitsPerProperty <= 0 {
		o.UnitsPerProperty = 40
	}
	if o.FirstPropertyID <= 0 {
		o.FirstPropertyID = 100
	}
	if o.Today.IsZero() {
		o.Today = entrata.MustDate(2026, time.January, 15)
	}
	g := &gen{rng: rand.New(rand.NewPCG(uint64(o.Seed), 0x9e3779b97f4a7c15)), today: o.Today}
	g.ids.reset(nil)
	var p Portfolio
	if len(o.PropertyIDs) > 0 {
		o.Properties = len(o.PropertyIDs)
	}
	for i := range o.Properties {
		id := o.FirstPropertyID + i
		if len(o.PropertyIDs) > 0 {
			id = o.PropertyIDs[i]
		}
		p.Properties = append(p.Properties, g.property(id, i, o.UnitsPerProperty))
	}
	return p
}

func (g *gen) property(id, index, units int) PropertyData {
	pid := fmt.Sprint(id)
	name := propertyNames[index%len(propertyNames)]
	if index >= len(propertyNames) {
		name = fmt.Sprintf("%s %d", name, index/len(propertyNames)+1)
	}
	pd := PropertyData{Property: entrata.Property{ID: pid, Name: name, Type: "Apartment", ParentID: pid}}
	buildingID := fmt.Sprint(900 + index)
	for u := range units {
		number := fmt.Sprintf("%d%02d", u/unitsPerFloor+1, u%unitsPerFloor+1)
		pd.Units = append(pd.Units, entrata.Unit{
			ID: g.ids.next("unit"), PropertyID: pid, Number: number, BuildingID: buildingID, BuildingName: "Building A",
			Spaces: []entrata.UnitSpace{{ID: g.ids.next("space"), Label: number}},
		})
	}
	var vacant []entrata.Unit
	for _, u := range pd.Units {
		leases := g.unitLeases(pid, u)
		if len(leases) == 0 {
			vacant = append(vacant, u)
		}
		pd.Leases = append(pd.Leases, leases...)
	}
	g.transfers(&pd, vacant, max(1, units/40))
	return pd
}

// between returns a uniform integer in lo..hi.
func (g *gen) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// unitLeases draws what a unit holds today.
func (g *gen) unitLeases(pid string, u entrata.Unit) []entrata.Lease {
	var out []entrata.Lease
	if !g.chance(0.85) { // vacant
		switch r := g.rng.Float64(); {
		case r < 0.40:
			out = append(out, g.lease(pid, u, entrata.LeaseFuture, g.today.AddDays(g.between(1, 60))))
		case r < 0.75:
			out = append(out, g.pastLease(pid, u, g.today.AddDays(-g.between(1, 30))))
		}
		return out
	}
	moveInDays := g.between(0, 330)
	if g.chance(0.08) { // the previous resident left within the last 30 days
		left := g.today.AddDays(-g.between(2, 30))
		out = append(out, g.pastLease(pid, u, left))
		moveInDays = g.between(0, daysBetween(left, g.today)-1)
	}
	l := g.lease(pid, u, entrata.LeaseCurrent, g.today.AddDays(-moveInDays))
	switch r := g.rng.Float64(); {
	case r < 0.12: // notice
		_ = giveNotice(&l, g.today.AddDays(g.between(1, 60)))
		if mo := l.MoveOutDate; g.chance(0.3) && mo.Before(g.today.AddDays(55)) {
			out = append(out, g.lease(pid, u, entrata.LeaseFuture, mo.AddDays(g.between(1, 5))))
		}
	case r < 0.22: // month-to-month after the first term
		l = g.relet(l, g.between(395, 900))
		l.IsMonthToMonth = true
	case r < 0.44: // renewed, renewal running
		l = g.relet(l, g.between(366, 700))
		iv := l.Intervals[0]
		_ = renewLease(&l, iv.EndDate.AddDays(1), iv.EndDate.AddDays(365), g.ids.next("interval"), g.today)
	case r < 0.48: // renewal signed, starting after the current term
		start := g.today.AddDays(g.between(5, 60))
		l = g.withMoveIn(l, start.AddDays(-365))
		_ = renewLease(&l, start, start.AddDays(364), g.ids.next("interval"), g.today)
	}
	if g.chance(0.06) && len(l.Customers) > 1 {
		l.Customers[len(l.Customers)-1].Status = "Cancelled"
	}
	return append(out, l)
}

// relet moves a current lease's start daysAgo into the past, so that its
// first (Application) term has ended.
func (g *gen) relet(l entrata.Lease, daysAgo int) entrata.Lease {
	// The Application interval stays Current: a month-to-month lease
	// keeps it open, and a renewal that has started marks it Past.
	return g.withMoveIn(l, g.today.AddDays(-daysAgo))
}

// withMoveIn shifts the lease, its customers and its first interval to a new
// move-in date.
func (g *gen) withMoveIn(l entrata.Lease, d entrata.Date) entrata.Lease {
	l.MoveInDate = d
	for i := range l.Customers {
		l.Customers[i].MoveInDate = d
	}
	l.Intervals[0].StartDate, l.Intervals[0].EndDate = d, d.AddDays(364)
	return l
}

// lease draws a lease with its customers and Application interval.
func (g *gen) lease(pid string, u entrata.Unit, st entrata.LeaseStatus, moveInDate entrata.Date) entrata.Lease {
	l := entrata.Lease{ID: g.ids.next("lease"), PropertyID: pid, UnitID: u.ID, UnitSpaces: u.Spaces, MoveInDate: moveInDate}
	setStatus(&l, st)
	ivSt := entrata.LeaseCurrent
	if st == entrata.LeaseFuture {
		ivSt = entrata.LeaseFuture
	}
	l.Intervals = []entrata.LeaseInterval{newInterval(g.ids.next("interval"), entrata.IntervalApplication, moveInDate, moveInDate.AddDays(364), ivSt)}
	custStatus := "Current"
	if st == entrata.LeaseFuture {
		custStatus = "Future"
	}
	l.Customers = append(l.Customers, g.customer("Primary", "Primary", custStatus, moveInDate))
	switch r := g.rng.Float64(); {
	case r < 0.35:
		l.Customers = append(l.Customers, g.customer("Co-Applicant", "Roommate", custStatus, moveInDate))
	case r < 0.50:
		l.Customers = append(l.Customers, g.customer("Occupant", []string{"Spouse", "Roommate", "Child"}[g.rng.IntN(3)], custStatus, moveInDate),
			g.customer("Occupant", "Roommate", custStatus, moveInDate))
	}
	if g.chance(0.25) {
		gu := g.customer("Guarantor", "Guarantor", custStatus, entrata.Date{})
		if g.chance(0.5) {
			gu.Email = ""
		}
		l.Customers = append(l.Customers, gu)
	}
	return l
}

func (g *gen) pastLease(pid string, u entrata.Unit, left entrata.Date) entrata.Lease {
	l := g.lease(pid, u, entrata.LeaseCurrent, left.AddDays(-g.between(200, 700)))
	_ = moveOut(&l, left)
	return l
}

func (g *gen) customer(typ, rel, status string, moveInDate entrata.Date) entrata.Customer {
	id := g.ids.next("customer")
	first, last := firstNames[g.rng.IntN(len(firstNames))], lastNames[g.rng.IntN(len(lastNames))]
	c := entrata.Customer{ID: id, Type: typ, Relationship: rel, Status: status, FirstName: first, LastName: last,
		Email: strings.ToLower(first + "." + last + "." + id + "@example.com"), MoveInDate: moveInDate}
	if g.chance(0.7) {
		c.Phone = "555" + id[len(id)-7:]
	}
	return c
}

// transfers moves n current residents into vacant units.
func (g *gen) transfers(pd *PropertyData, vacant []entrata.Unit, n int) {
	for ; n > 0 && len(vacant) > 0; n-- {
		var candidates []int
		for i, l := range pd.Leases {
			if l.Status == entrata.LeaseCurrent && !l.IsMonthToMonth && l.SubStatus == "" && l.MoveInDate.Before(g.today.AddDays(-30)) {
				candidates = append(candidates, i)
			}
		}
		if len(candidates) == 0 {
			return
		}
		li := candidates[g.rng.IntN(len(candidates))]
		u := vacant[0]
		vacant = vacant[1:]
		nl, err := transferLease(&pd.Leases[li], u, g.today.AddDays(g.between(3, 45)), g.ids.next("lease"), g.ids.next("interval"))
		if err == nil {
			pd.Leases = append(pd.Leases, nl)
		}
	}
}

// daysBetween returns the number of days from a to b.
func daysBetween(a, b entrata.Date) int {
	return int(b.At(12, 0, time.UTC).Sub(a.At(12, 0, time.UTC)).Hours() / 24)
}
