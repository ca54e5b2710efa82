package access

import (
	"cmp"
	"slices"
	"strings"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// result turns the gathered contributions into the sorted Result.
func (e *entitler) result() Result {
	r := Result{PropertyID: e.p.PropertyID}
	for _, id := range sortedKeys(e.customers) {
		s := e.customers[id]
		if s.badGranting || (s.badAny && len(s.contribs) == 0) {
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

// unitGroup finds a unit's Brivo group: the explicit map, else the name
// template looked up in the group directory. A unit with residents and no
// group is recorded as unmapped.
func (e *entitler) unitGroup(unitID string, report bool) (int64, bool) {
	if g, ok := e.p.Units[unitID]; ok {
		return g, true
	}
	if e.p.UnitGroupName != "" {
		if name, ok := unitGroupName(e.p.UnitGroupName, e.units[unitID], e.p.PropertyID); ok {
			if g, ok := e.byName[name]; ok {
				return g, true
			}
		}
	}
	if report {
		e.unmapped[unitID] = true
	}
	return 0, false
}

// unitGroupName fills the template; it fails when a placeholder it uses has
// no value for this unit.
func unitGroupName(tmpl string, u entrata.Unit, propertyID string) (string, bool) {
	values := []string{u.Number, u.BuildingName, propertyID}
	for i, ph := range unitGroupPlaceholders {
		if !strings.Contains(tmpl, ph) {
			continue
		}
		if values[i] == "" {
			return "", false
		}
		tmpl = strings.ReplaceAll(tmpl, ph, values[i])
	}
	return tmpl, true
}
