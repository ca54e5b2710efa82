package access

import (
	"cmp"
	"slices"
	"strings"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// result turns the gathered contributions into the sorted Result.
func (e *entitler) result() Result {
	r := Result{PropertyID: e.p.PropertyID, HoldAbsent: e.holdAbsent}
	for _, id := range sortedKeys(e.customers) {
		s := e.customers[id]
		// A bad record that could grant access freezes the person only
		// when no good lease says where they live now; otherwise the good
		// leases decide (their ends are enforced) and the bad one adds
		// nothing.
		if (s.badGranting && !s.livesByGoodLease()) || (s.badAny && len(s.contribs) == 0) {
			r.Untouchable = append(r.Untouchable, ExternalID(id))
			continue
		}
		if len(s.contribs) == 0 {
			continue
		}
		r.Entitlements = append(r.Entitlements, e.entitlement(id, s))
	}
	slices.SortFunc(e.problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.LeaseID, b.LeaseID), cmp.Compare(a.CustomerID, b.CustomerID),
			cmp.Compare(a.Field, b.Field), cmp.Compare(a.Reason, b.Reason))
	})
	r.Problems = slices.Compact(e.problems)
	r.UnmappedUnits = sortedKeys(e.unmapped)
	if len(r.UnmappedUnits) == 0 {
		r.UnmappedUnits = nil
	}
	return r
}

// livesByGoodLease reports whether one of the customer's good contributions
// is a current home: a Current or Notice lease on which the customer is not
// a future or past resident.
func (s *customerState) livesByGoodLease() bool {
	for _, k := range s.contribs {
		st := strings.ToLower(strings.TrimSpace(k.customer.Status))
		if k.granting && k.lease.Status != entrata.LeaseFuture && st != "future" {
			return true
		}
	}
	return false
}

func (e *entitler) entitlement(id string, s *customerState) Entitlement {
	ent := Entitlement{ExternalID: ExternalID(id), CustomerID: id}
	windows := map[int64][]Window{}
	reasons := map[int64][]string{}
	add := func(g int64, w Window, reason string) {
		windows[g] = append(windows[g], w)
		if !slices.Contains(reasons[g], reason) {
			reasons[g] = append(reasons[g], reason)
		}
	}
	var latest *contribution
	for i, k := range s.contribs {
		if i == 0 {
			ent.Window = k.window
		} else {
			ent.Window = hull(ent.Window, k.window)
		}
		ent.LeaseIDs = append(ent.LeaseIDs, k.lease.ID)
		if latest == nil || cmp.Or(k.window.From.Compare(latest.window.From), cmp.Compare(k.lease.ID, latest.lease.ID)) > 0 {
			latest = k
		}
		if k.window.Empty() {
			continue
		}
		for _, g := range e.p.BuildingGroupIDs {
			add(g, k.window, "building")
		}
		if g, ok := e.unitGroup(k.lease.UnitID, k.granting); ok {
			add(g, k.window, "unit "+k.lease.UnitID)
		}
	}
	for _, b := range s.bridges {
		for _, g := range e.p.BuildingGroupIDs {
			add(g, b, "building")
		}
	}
	ent.FirstName, ent.LastName, ent.Email = latest.customer.FirstName, latest.customer.LastName, latest.customer.Email
	slices.Sort(ent.LeaseIDs)
	ent.LeaseIDs = slices.Compact(ent.LeaseIDs)
	groups := make([]int64, 0, len(windows))
	for g := range windows {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	for _, g := range groups {
		rs := reasons[g]
		slices.Sort(rs)
		for _, w := range mergeWindows(windows[g]) {
			ent.Grants = append(ent.Grants, Grant{GroupID: g, Window: w, Reason: strings.Join(rs, ", ")})
		}
	}
	return ent
}
