package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// GroupDirectory maps each Brivo group name to the ids of every group with
// that name, so that a name used twice in the account stays visible to the
// policy instead of silently resolving to one of them.
type GroupDirectory map[string][]int64

// Add records a group; ids stay sorted and distinct.
func (d GroupDirectory) Add(name string, id int64) {
	ids := d[name]
	if i, found := slices.BinarySearch(ids, id); !found {
		d[name] = slices.Insert(ids, i, id)
	}
}

// unitGroups is how each unit of the property finds its Brivo group.
type unitGroups struct {
	byUnit    map[string]int64  // resolved, unambiguous
	ambiguous map[string]string // unit id → why it gets no unit group
	reported  map[string]bool
}

// resolveUnitGroups resolves every unit's group once: the explicit map,
// else unitGroupName looked up in the directory. A name that matches two
// groups, or a group that two units would share through a name, is
// ambiguous: neither unit gets the group by name (an explicit entry is
// the operator's deliberate choice and stands).
func (e *entitler) resolveUnitGroups(dir GroupDirectory) {
	e.groups = unitGroups{byUnit: map[string]int64{}, ambiguous: map[string]string{}, reported: map[string]bool{}}
	named := map[string]int64{}
	claims := map[int64][]string{}
	for _, id := range sortedKeys(e.units) {
		if g, ok := e.p.Units[id]; ok {
			e.groups.byUnit[id] = g
			claims[g] = append(claims[g], id)
			continue
		}
		if e.p.UnitGroupName == "" {
			continue
		}
		name, ok := unitGroupName(e.p.UnitGroupName, e.units[id], e.p.PropertyID)
		if !ok {
			continue
		}
		switch ids := dir[name]; len(ids) {
		case 0:
		case 1:
			named[id] = ids[0]
			claims[ids[0]] = append(claims[ids[0]], id)
		default:
			e.groups.ambiguous[id] = fmt.Sprintf("unit %s: group name %q matches %d Brivo groups %v; the unit gets none of them",
				id, name, len(ids), ids)
		}
	}
	for id, g := range named {
		if units := claims[g]; len(units) > 1 {
			e.groups.ambiguous[id] = fmt.Sprintf("unit %s: Brivo group %d would serve units %s; none of them gets it by name",
				id, g, strings.Join(units, ", "))
			continue
		}
		e.groups.byUnit[id] = g
	}
}

// unitGroup returns a unit's Brivo group. A unit with residents and no
// group is recorded as unmapped, or as a problem when its name is
// ambiguous.
func (e *entitler) unitGroup(unitID string, report bool) (int64, bool) {
	if g, ok := e.groups.byUnit[unitID]; ok {
		return g, true
	}
	if why, ok := e.groups.ambiguous[unitID]; ok {
		if report && !e.groups.reported[unitID] {
			e.groups.reported[unitID] = true
			e.problem("", "", "unitGroupName", "%s", why)
		}
		return 0, false
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

// UnitNumberClashes lists, sorted, the unit numbers that appear in more
// than one building when the property finds unit groups by a name without
// {buildingName}: such a name cannot tell the units apart. The worker logs
// them once as a warning; Entitle reports the units that collide.
func UnitNumberClashes(p PropertyPolicy, units []entrata.Unit) []string {
	if p.UnitGroupName == "" || strings.Contains(p.UnitGroupName, "{buildingName}") {
		return nil
	}
	buildings := map[string]map[string]bool{}
	for _, u := range units {
		if buildings[u.Number] == nil {
			buildings[u.Number] = map[string]bool{}
		}
		buildings[u.Number][u.BuildingName] = true
	}
	var out []string
	for _, n := range sortedKeys(buildings) {
		if len(buildings[n]) > 1 {
			out = append(out, n)
		}
	}
	return out
}
