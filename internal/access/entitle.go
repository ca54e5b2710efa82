package access

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// contribution is one (lease, customer) pair that yields a window.
type contribution struct {
	lease    *entrata.Lease
	customer entrata.Customer
	window   Window
	granting bool // lease and customer are Future, Current or Notice
	pastOpen bool // past, no move-out: kept only if a transfer ends it
}

// customerState gathers one customer's contributions across leases.
type customerState struct {
	contribs    []*contribution
	bridges     []Window // building-group bridges across transfers
	badGranting bool     // a problem on a lease that could grant access
	badAny      bool
}

// entitler holds the working state of one Entitle call.
type entitler struct {
	p         PropertyPolicy
	units     map[string]entrata.Unit
	groups    unitGroups
	customers map[string]*customerState
	problems  []Problem
	unmapped  map[string]bool
	// holdAbsent: a record names someone whose id could not be read.
	holdAbsent bool
}

// Entitle applies the access policy (see the package documentation) to one
// property's units and leases. groups is the directory of Brivo group names
// used by the policy's UnitGroupName; it may be nil.
func Entitle(p PropertyPolicy, units []entrata.Unit, leases []entrata.Lease, groups GroupDirectory) Result {
	if p.Location == nil {
		p.Location = time.UTC
	}
	e := &entitler{p: p, units: unitDirectory(units),
		customers: map[string]*customerState{}, unmapped: map[string]bool{}}
	e.resolveUnitGroups(groups)
	sorted := make([]*entrata.Lease, 0, len(leases))
	seen := map[string]int{}
	for i := range leases {
		sorted = append(sorted, &leases[i])
		seen[leases[i].ID]++
	}
	slices.SortStableFunc(sorted, func(a, b *entrata.Lease) int { return cmp.Compare(a.ID, b.ID) })
	for _, l := range sorted {
		e.lease(l, seen[l.ID] > 1)
	}
	e.transfers()
	return e.result()
}

// unitDirectory indexes units by id; of duplicate ids the smallest unit
// (by number, then building) wins, whatever the input order.
func unitDirectory(units []entrata.Unit) map[string]entrata.Unit {
	dir := make(map[string]entrata.Unit, len(units))
	for _, u := range units {
		if old, ok := dir[u.ID]; ok && cmp.Or(cmp.Compare(old.Number, u.Number), cmp.Compare(old.BuildingName, u.BuildingName)) <= 0 {
			continue
		}
		dir[u.ID] = u
	}
	return dir
}

func (e *entitler) problem(leaseID, customerID, field, format string, args ...any) {
	e.problems = append(e.problems, Problem{LeaseID: leaseID, CustomerID: customerID, Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (e *entitler) state(customerID string) *customerState {
	s := e.customers[customerID]
	if s == nil {
		s = &customerState{}
		e.customers[customerID] = s
	}
	return s
}

func (e *entitler) markBad(customerID string, granting bool) {
	s := e.state(customerID)
	s.badAny = true
	s.badGranting = s.badGranting || granting
}

func activeLease(s entrata.LeaseStatus) bool {
	return s == entrata.LeaseFuture || s == entrata.LeaseCurrent || s == entrata.LeaseNotice
}

// leaseProblem returns the field and reason that make a whole lease unusable.
func (e *entitler) leaseProblem(l *entrata.Lease, duplicate bool) (field, reason string) {
	switch {
	case l.ID == "":
		return "id", "lease has no id"
	case duplicate:
		return "id", "lease id appears more than once"
	case l.Status < entrata.LeaseApplicant || l.Status > entrata.LeasePast:
		return "leaseStatusTypeId", fmt.Sprintf("unknown lease status %d", int(l.Status))
	case l.PropertyID != "" && l.PropertyID != e.p.PropertyID:
		return "propertyId", fmt.Sprintf("lease belongs to property %q", l.PropertyID)
	case l.UnitID == "":
		return "unitId", "lease has no unit"
	}
	if _, ok := e.units[l.UnitID]; !ok {
		return "unitId", fmt.Sprintf("unknown unit %q", l.UnitID)
	}
	return "", ""
}

func (e *entitler) lease(l *entrata.Lease, duplicate bool) {
	if l.Status == entrata.LeaseApplicant || l.Status == entrata.LeaseCancelled {
		return
	}
	if l.Unidentified > 0 && !e.holdAbsent {
		e.holdAbsent = true
		e.problem(l.ID, "", "customers.id", "names a customer whose id cannot be read; "+
			"no Brivo user is revoked for being absent until the record is fixed")
	}
	leaseGrants := activeLease(l.Status) || l.Status < entrata.LeaseApplicant || l.Status > entrata.LeasePast
	customers := slices.Clone(l.Customers)
	slices.SortStableFunc(customers, func(a, b entrata.Customer) int { return cmp.Compare(a.ID, b.ID) })
	count := map[string]int{}
	for _, c := range customers {
		count[c.ID]++
	}
	if l.Invalid != "" {
		// The decoder reported the fault; nothing in the lease is trusted,
		// so its customers are neither granted nor taken for gone.
		for _, c := range customers {
			if c.ID != "" && resident(c) {
				e.markBad(c.ID, leaseGrants)
			}
		}
		return
	}
	if field, reason := e.leaseProblem(l, duplicate); field != "" {
		e.problem(l.ID, "", field, "%s", reason)
		for _, c := range customers {
			if c.ID != "" && resident(c) {
				e.markBad(c.ID, leaseGrants)
			}
		}
		return
	}
	for i, c := range customers {
		switch {
		case c.ID == "":
			e.problem(l.ID, "", "customers.id", "customer has no id")
			e.holdAbsent = true
		case c.Invalid != "":
			// Reported by the decoder; this customer alone is left as is.
			if resident(c) {
				e.markBad(c.ID, leaseGrants)
			}
		case count[c.ID] > 1:
			if i == 0 || customers[i-1].ID != c.ID {
				e.problem(l.ID, c.ID, "customers.id", "customer listed %d times on the lease", count[c.ID])
			}
			if resident(c) {
				e.markBad(c.ID, leaseGrants)
			}
		case resident(c):
			e.customer(l, c)
		}
	}
}

// resident reports whether the customer could ever be granted access: not a
// guarantor and not cancelled.
func resident(c entrata.Customer) bool {
	return !strings.EqualFold(strings.TrimSpace(c.Type), "guarantor") &&
		!strings.EqualFold(strings.TrimSpace(c.Status), "cancelled")
}

func (e *entitler) customer(l *entrata.Lease, c entrata.Customer) {
	active := activeLease(l.Status)
	start, end := cmp.Or(c.MoveInDate, l.MoveInDate), cmp.Or(c.MoveOutDate, l.MoveOutDate)
	switch strings.ToLower(strings.TrimSpace(c.Status)) {
	case "":
	case "current", "notice":
	case "future":
		// A future roommate added to a lease that has begun does not
		// inherit the lease's move-in: they wait for a date of their own.
		if c.MoveInDate.IsZero() && active && l.Status != entrata.LeaseFuture {
			e.problem(l.ID, c.ID, "moveInDate", "future customer on a %s lease has no move-in date of their own; no access until Entrata gives one", l.Status)
			e.markBad(c.ID, true)
			return
		}
	case "past":
		// A past customer leaves at their own move-out whatever the
		// lease's status; only on a past lease is the lease's move-out
		// everyone's.
		if active {
			end = c.MoveOutDate
		}
		active = false
	default:
		e.problem(l.ID, c.ID, "leaseCustomerStatus", "unknown customer status %q", c.Status)
		e.markBad(c.ID, activeLease(l.Status))
		return
	}
	switch {
	case start.IsZero() && end.IsZero() && active:
		e.problem(l.ID, c.ID, "moveInDate", "no dates at all: no move-in or move-out date on the customer or the lease")
		e.markBad(c.ID, true)
		return
	case start.IsZero() && active:
		e.problem(l.ID, c.ID, "moveInDate", "no move-in date on the customer or the lease")
		e.markBad(c.ID, true)
		return
	case end.IsZero() && !active && start.IsZero():
		return // a past resident without dates gets nothing
	case !start.IsZero() && !end.IsZero() && end.Before(start):
		e.problem(l.ID, c.ID, "moveOutDate", "move-out %s is before move-in %s", end, start)
		e.markBad(c.ID, active)
		return
	}
	// A past resident without a move-out date gets nothing, unless a
	// transfer ends the lease (see transfers); pastOpen marks the candidate.
	k := &contribution{lease: l, customer: c, granting: active, pastOpen: !active && end.IsZero()}
	if !end.IsZero() {
		to := wallInstant(end, e.p.End, e.p.Location)
		k.window = Window{From: to, To: ptr(to)} // empty unless a start is known
	}
	if !start.IsZero() {
		k.window.From = wallInstant(start, e.p.Start, e.p.Location)
		if k.window.To != nil && !k.window.To.After(k.window.From) {
			e.problem(l.ID, c.ID, "moveOutDate", "move-out at %s is not after move-in at %s on %s",
				e.p.End, e.p.Start, start)
			e.markBad(c.ID, active)
			return
		}
	}
	s := e.state(c.ID)
	s.contribs = append(s.contribs, k)
}

// transferDate is when a transfer lease takes over from the old one.
func transferDate(l *entrata.Lease, c entrata.Customer) (entrata.Date, bool) {
	isTransfer := l.ParentLeaseID != ""
	var intervalStart entrata.Date
	for _, iv := range l.Intervals {
		if iv.TypeID == entrata.IntervalTransfer {
			isTransfer = true
			if intervalStart.IsZero() || iv.StartDate.Before(intervalStart) {
				intervalStart = iv.StartDate
			}
		}
	}
	return cmp.Or(l.TransferDate, intervalStart, c.MoveInDate, l.MoveInDate), isTransfer
}

// MaxTransferBridge is the longest gap between a transfer's old move-out and
// new move-in across which the building groups continue; a longer gap is a
// move-out followed by a new move-in.
const MaxTransferBridge = 7 * 24 * time.Hour

// transfers ends each transferring customer's old lease and bridges the
// building groups across a short gap (see the package documentation), then
// drops the past leases without a move-out that no transfer ended.
func (e *entitler) transfers() {
	for _, id := range sortedKeys(e.customers) {
		s := e.customers[id]
		e.customerTransfers(s)
		s.contribs = slices.DeleteFunc(s.contribs, func(k *contribution) bool { return k.pastOpen && k.window.To == nil })
	}
}

// customerTransfers handles one customer's transfers in move-in order, so a
// chain of transfers resolves oldest first whatever the lease ids.
func (e *entitler) customerTransfers(s *customerState) {
	news := slices.Clone(s.contribs)
	slices.SortStableFunc(news, func(a, b *contribution) int {
		return cmp.Or(a.window.From.Compare(b.window.From), cmp.Compare(a.lease.ID, b.lease.ID))
	})
	for _, n := range news {
		date, ok := transferDate(n.lease, n.customer)
		if !ok || n.window.Empty() || n.pastOpen {
			continue
		}
		if n.lease.ParentLeaseID == "" {
			// Which lease it replaces is unknown: guessing could end a
			// lease the customer still lives in, so it ends none.
			e.problem(n.lease.ID, "", "parentLeaseId", "transfer interval without a parent lease; no other lease is ended")
			continue
		}
		end := wallInstant(date, e.p.End, e.p.Location)
		for _, o := range s.contribs {
			if o == n || !isOldLease(o, n) {
				continue
			}
			if o.window.To == nil {
				// With no move-out of its own the old unit stays at least
				// until the new one opens: never neither door.
				o.window.To = ptr(maxTime(maxTime(end, n.window.From), o.window.From))
			}
			if gap := n.window.From.Sub(*o.window.To); gap > 0 && gap <= MaxTransferBridge {
				s.bridges = append(s.bridges, Window{From: *o.window.To, To: ptr(n.window.From)})
			}
		}
	}
}

// isOldLease reports whether o is the lease that transfer n replaces: its
// parent. A transfer without a parent ends no other lease (see transfers).
func isOldLease(o, n *contribution) bool {
	return n.lease.ParentLeaseID != "" && o.lease.ID == n.lease.ParentLeaseID
}

func maxTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
