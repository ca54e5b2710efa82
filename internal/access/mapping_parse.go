package access

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// unitGroupPlaceholders are the names unitGroupName may use.
var unitGroupPlaceholders = []string{"{unitNumber}", "{buildingName}", "{propertyId}"}

// ParseMapping validates a mapping file's YAML. It reports every problem,
// joined, each naming its line and key: unknown or missing keys, bad zones
// and times, duplicate properties, a unit listed twice, a Brivo group given
// to two units (it would let each household open the other's door), a unit
// group that is also a building group, and bad defaults.
func ParseMapping(data []byte, d Defaults) (*Mapping, error) {
	defs, errs := resolveDefaults(d)
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errors.Join(append(errs, fmt.Errorf("mapping: %w", err))...)
	}
	p := &parser{defs: defs, errs: errs}
	m := p.document(&doc)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return m, nil
}

type parser struct {
	defs resolvedDefaults
	errs []error
}

func (p *parser) fail(n *yaml.Node, key, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &MappingError{Line: line, Key: key, Message: fmt.Sprintf(format, args...)})
}

// fields checks a mapping node's keys against allowed ones and returns the
// value node of each key present.
func (p *parser) fields(n *yaml.Node, path string, allowed ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		p.fail(n, path, "must be a mapping")
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := join(path, k.Value)
		switch {
		case !slices.Contains(allowed, k.Value):
			p.fail(k, key, "unknown field (allowed: %s)", strings.Join(allowed, ", "))
		case out[k.Value] != nil:
			p.fail(k, key, "duplicate field")
		default:
			out[k.Value] = v
		}
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (p *parser) document(doc *yaml.Node) *Mapping {
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.fail(nil, "properties", "required (the file is empty)")
		return nil
	}
	root := doc.Content[0]
	f := p.fields(root, "", "properties")
	props := f["properties"]
	if props == nil {
		p.fail(root, "properties", "required")
		return nil
	}
	if props.Kind != yaml.SequenceNode {
		p.fail(props, "properties", "must be a list")
		return nil
	}
	if len(props.Content) == 0 {
		p.fail(props, "properties", "must list at least one property")
	}
	m := &Mapping{index: map[string]int{}}
	firstLine := map[string]int{}
	for i, n := range props.Content {
		path := fmt.Sprintf("properties[%d]", i)
		pp, ok := p.property(n, path)
		if !ok {
			continue
		}
		if line, dup := firstLine[pp.PropertyID]; dup {
			p.fail(n, path+".entrataPropertyId", "duplicate property %q (first at line %d)", pp.PropertyID, line)
			continue
		}
		firstLine[pp.PropertyID] = n.Line
		m.index[pp.PropertyID] = len(m.Properties)
		m.Properties = append(m.Properties, pp)
	}
	return m
}

func (p *parser) property(n *yaml.Node, path string) (PropertyPolicy, bool) {
	before := len(p.errs)
	f := p.fields(n, path, "entrataPropertyId", "timezone", "accessStartTime", "accessEndTime",
		"buildingGroupIds", "units", "unitGroupName", "mode")
	pp := PropertyPolicy{Location: p.defs.loc, Start: p.defs.start, End: p.defs.end, Mode: ModeApply}
	if v := f["mode"]; v != nil {
		if s, ok := p.scalar(v, path+".mode"); ok {
			if s != ModeApply && s != ModePreview {
				p.fail(v, path+".mode", "mode %q is not %q or %q", s, ModeApply, ModePreview)
			}
			pp.Mode = s
		}
	}
	if v := f["entrataPropertyId"]; v == nil {
		p.fail(n, path+".entrataPropertyId", "required")
	} else if s, ok := p.scalar(v, path+".entrataPropertyId"); ok {
		pp.PropertyID = s
	}
	pp.DefaultZone = f["timezone"] == nil
	if v := f["timezone"]; v != nil {
		if s, ok := p.scalar(v, path+".timezone"); ok {
			loc, err := loadLocation(s)
			if err != nil {
				p.fail(v, path+".timezone", "%v", err)
			}
			pp.Location = loc
		}
	}
	pp.Start = p.clock(f["accessStartTime"], path+".accessStartTime", pp.Start)
	pp.End = p.clock(f["accessEndTime"], path+".accessEndTime", pp.End)
	pp.BuildingGroupIDs = p.buildingGroups(f["buildingGroupIds"], path+".buildingGroupIds")
	pp.Units = p.units(f["units"], path+".units", pp.BuildingGroupIDs)
	if v := f["unitGroupName"]; v != nil {
		if s, ok := p.scalar(v, path+".unitGroupName"); ok {
			p.checkTemplate(v, path+".unitGroupName", s)
			pp.UnitGroupName = s
		}
	}
	return pp, len(p.errs) == before
}

func (p *parser) scalar(v *yaml.Node, key string) (string, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.fail(v, key, "must be a single value")
		return "", false
	}
	s := strings.TrimSpace(v.Value)
	if s == "" {
		p.fail(v, key, "must not be empty")
		return "", false
	}
	return s, true
}

func (p *parser) clock(v *yaml.Node, key string, def ClockTime) ClockTime {
	if v == nil {
		return def
	}
	s, ok := p.scalar(v, key)
	if !ok {
		return def
	}
	c, err := ParseClock(s)
	if err != nil {
		p.fail(v, key, "%v", err)
		return def
	}
	return c
}

func (p *parser) groupID(v *yaml.Node, key string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimSpace(v.Value), 10, 64)
	if v.Kind != yaml.ScalarNode || err != nil || id <= 0 {
		p.fail(v, key, "Brivo group id %q is not a positive integer", v.Value)
		return 0, false
	}
	return id, true
}

func (p *parser) buildingGroups(v *yaml.Node, key string) []int64 {
	if v == nil {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.fail(v, key, "must be a list of Brivo group ids")
		return nil
	}
	var ids []int64
	for i, n := range v.Content {
		k := fmt.Sprintf("%s[%d]", key, i)
		id, ok := p.groupID(n, k)
		if !ok {
			continue
		}
		if slices.Contains(ids, id) {
			p.fail(n, k, "group %d listed twice", id)
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (p *parser) units(v *yaml.Node, key string, building []int64) map[string]int64 {
	if v == nil {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.fail(v, key, "must map Entrata unit ids to Brivo group ids")
		return nil
	}
	out := map[string]int64{}
	unitOf := map[int64]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		kn, vn := v.Content[i], v.Content[i+1]
		unit := strings.TrimSpace(kn.Value)
		k := fmt.Sprintf("%s[%q]", key, unit)
		if unit == "" || kn.Kind != yaml.ScalarNode {
			p.fail(kn, key, "unit id must not be empty")
			continue
		}
		if _, dup := out[unit]; dup {
			p.fail(kn, k, "unit %q mapped twice", unit)
			continue
		}
		id, ok := p.groupID(vn, k)
		if !ok {
			continue
		}
		if other, dup := unitOf[id]; dup {
			p.fail(vn, k, "group %d is already the group of unit %q; each unit needs its own group", id, other)
			continue
		}
		if slices.Contains(building, id) {
			p.fail(vn, k, "group %d is also a building group", id)
			continue
		}
		out[unit], unitOf[id] = id, unit
	}
	return out
}

func (p *parser) checkTemplate(v *yaml.Node, key, tmpl string) {
	rest := tmpl
	for _, ph := range unitGroupPlaceholders {
		rest = strings.ReplaceAll(rest, ph, "")
	}
	if strings.ContainsAny(rest, "{}") {
		p.fail(v, key, "unknown placeholder in %q (allowed: %s)", tmpl, strings.Join(unitGroupPlaceholders, ", "))
	}
}
