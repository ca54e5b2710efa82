package access

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"
)

// Built-in defaults, used when a Defaults field is empty. They match the
// documented defaults of SYNC_DEFAULT_TIMEZONE, ACCESS_START_TIME and
// ACCESS_END_TIME.
const (
	DefaultTimezone  = "America/Denver"
	DefaultStartTime = "10:00"
	DefaultEndTime   = "16:00"
)

// Defaults are the worker-wide settings a property inherits when its mapping
// entry names none: SYNC_DEFAULT_TIMEZONE, ACCESS_START_TIME and
// ACCESS_END_TIME. Empty fields take the built-in defaults.
type Defaults struct {
	Timezone  string
	StartTime string
	EndTime   string
}

// Mapping is the validated mapping file: one policy per Entrata property.
type Mapping struct {
	Properties []PropertyPolicy
	index      map[string]int
}

// PropertyPolicy is everything the access policy needs to know about one
// property: its zone, its window times and its Brivo groups.
type PropertyPolicy struct {
	PropertyID string
	Location   *time.Location
	Start, End ClockTime
	// BuildingGroupIDs are the groups every resident joins, sorted.
	BuildingGroupIDs []int64
	// Units maps an Entrata unit id to its Brivo group.
	Units map[string]int64
	// UnitGroupName finds a unit's group by name when Units has no entry.
	UnitGroupName string
	// DefaultZone is set when the mapping names no timezone for the
	// property and Location is the default zone; the worker says so once
	// at start-up.
	DefaultZone bool
	// Mode is ModeApply (the default) or ModePreview: a previewing
	// property computes everything but writes nothing to Brivo.
	Mode string
}

// Property modes (the mapping's mode key).
const (
	ModeApply   = "apply"
	ModePreview = "preview"
)

// Previewing reports whether the property only previews its changes.
func (p PropertyPolicy) Previewing() bool { return p.Mode == ModePreview }

// Policy returns the policy of an Entrata property.
func (m *Mapping) Policy(propertyID string) (PropertyPolicy, bool) {
	if m == nil {
		return PropertyPolicy{}, false
	}
	i, ok := m.index[propertyID]
	if !ok {
		return PropertyPolicy{}, false
	}
	return m.Properties[i], true
}

// PropertyIDs returns the mapped Entrata property ids, sorted.
func (m *Mapping) PropertyIDs() []string {
	if m == nil {
		return nil
	}
	ids := make([]string, 0, len(m.Properties))
	for _, p := range m.Properties {
		ids = append(ids, p.PropertyID)
	}
	slices.Sort(ids)
	return ids
}

// MappingError is one problem in the mapping file or the defaults: the line
// (0 when unknown), the key path such as "properties[1].timezone", and what
// is wrong.
type MappingError struct {
	Line    int
	Key     string
	Message string
}

// Error implements error: "mapping: line 7: properties[1].timezone: ...".
func (e *MappingError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("mapping: line %d: %s: %s", e.Line, e.Key, e.Message)
	}
	return fmt.Sprintf("mapping: %s: %s", e.Key, e.Message)
}

// LoadMapping reads and validates the mapping file at path.
func LoadMapping(path string, d Defaults) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mapping: read: %w", err)
	}
	return ParseMapping(data, d)
}

// resolvedDefaults are Defaults after validation.
type resolvedDefaults struct {
	loc        *time.Location
	start, end ClockTime
}

func resolveDefaults(d Defaults) (resolvedDefaults, []error) {
	var r resolvedDefaults
	var errs []error
	tz := or(d.Timezone, DefaultTimezone)
	loc, err := loadLocation(tz)
	if err != nil {
		errs = append(errs, &MappingError{Key: "SYNC_DEFAULT_TIMEZONE", Message: err.Error()})
	}
	r.loc = loc
	if r.start, err = ParseClock(or(d.StartTime, DefaultStartTime)); err != nil {
		errs = append(errs, &MappingError{Key: "ACCESS_START_TIME", Message: err.Error()})
	}
	if r.end, err = ParseClock(or(d.EndTime, DefaultEndTime)); err != nil {
		errs = append(errs, &MappingError{Key: "ACCESS_END_TIME", Message: err.Error()})
	}
	return r, errs
}

// ValidateDefaults checks SYNC_DEFAULT_TIMEZONE, ACCESS_START_TIME and
// ACCESS_END_TIME; each error names its variable.
func ValidateDefaults(d Defaults) error {
	_, errs := resolveDefaults(d)
	return errors.Join(errs...)
}

// loadLocation refuses "Local", whose meaning depends on the machine.
func loadLocation(name string) (*time.Location, error) {
	if name == "Local" {
		return nil, fmt.Errorf("time zone %q depends on the machine; name a zone such as America/Denver", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return loc, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
