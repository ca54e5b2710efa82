package access

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadMappingValid(t *testing.T) {
	m, err := LoadMapping(filepath.Join("testdata", "valid.yaml"), Defaults{Timezone: "America/Denver", StartTime: "10:00", EndTime: "16:00"})
	mustNoErr(t, err)
	if got := m.PropertyIDs(); !slices.Equal(got, []string{"100", "200"}) {
		t.Fatalf("property ids = %v", got)
	}
	p, ok := m.Policy("100")
	if !ok {
		t.Fatal("property 100 missing")
	}
	if p.Location.String() != "America/Chicago" || p.Start != (ClockTime{Hour: 9}) || p.End != (ClockTime{Hour: 17, Second: 30}) {
		t.Errorf("policy 100 = %+v", p)
	}
	if !slices.Equal(p.BuildingGroupIDs, []int64{5001, 5002}) || p.Units["4087616"] != 6002 || p.UnitGroupName != "Unit {unitNumber}" {
		t.Errorf("policy 100 groups = %+v", p)
	}
	q, _ := m.Policy("200")
	if q.Location.String() != "America/Denver" || q.Start != (ClockTime{Hour: 10}) || q.End != (ClockTime{Hour: 16}) {
		t.Errorf("policy 200 does not inherit the defaults: %+v", q)
	}
	if _, ok := m.Policy("300"); ok {
		t.Error("unknown property found")
	}
}

func TestParseMappingDefaults(t *testing.T) {
	data := []byte("properties:\n  - entrataPropertyId: \"1\"\n")
	m, err := ParseMapping(data, Defaults{})
	mustNoErr(t, err)
	p, _ := m.Policy("1")
	if p.Location.String() != DefaultTimezone || p.Start.String() != DefaultStartTime || p.End.String() != DefaultEndTime {
		t.Errorf("built-in defaults not applied: %+v", p)
	}
	_, err = ParseMapping(data, Defaults{Timezone: "Nowhere/City", StartTime: "7", EndTime: "16:00"})
	for _, want := range []string{`mapping: SYNC_DEFAULT_TIMEZONE: unknown time zone "Nowhere/City"`, `mapping: ACCESS_START_TIME: time "7" is not HH:MM`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want %q", err, want)
		}
	}
	if err := ValidateDefaults(Defaults{EndTime: "16:60"}); err == nil || !strings.Contains(err.Error(), "ACCESS_END_TIME") {
		t.Errorf("ValidateDefaults = %v", err)
	}
}

func TestLoadMappingRejectsInvalid(t *testing.T) {
	cases := map[string][]string{
		"unknown-field":      {"mapping: line 4: properties[0].buildingGroups: unknown field"},
		"unknown-top":        {"mapping: line 1: property: unknown field", "properties: required"},
		"missing-id":         {"mapping: line 2: properties[0].entrataPropertyId: required"},
		"bad-timezone":       {`mapping: line 4: properties[1].timezone: unknown time zone "Mars/Base"`},
		"bad-start":          {`mapping: line 3: properties[0].accessStartTime: time "25:00" is out of range`},
		"bad-end":            {`mapping: line 3: properties[0].accessEndTime: time "4pm" is not HH:MM`},
		"duplicate-property": {`mapping: line 3: properties[1].entrataPropertyId: duplicate property "100" (first at line 2)`},
		"unit-twice":         {`mapping: line 5: properties[0].units["4087615"]: unit "4087615" mapped twice`},
		"group-twice":        {`mapping: line 5: properties[0].units["4087616"]: group 6001 is already the group of unit "4087615"`},
		"unit-is-building":   {`mapping: line 5: properties[0].units["4087615"]: group 5001 is also a building group`},
		"bad-group-id":       {`mapping: line 3: properties[0].buildingGroupIds[1]: Brivo group id "abc" is not a positive integer`},
		"building-twice":     {`mapping: line 3: properties[0].buildingGroupIds[1]: group 5001 listed twice`},
		"bad-placeholder":    {`mapping: line 3: properties[0].unitGroupName: unknown placeholder`},
		"empty-properties":   {"mapping: line 1: properties: must list at least one property"},
		"empty-file":         {"mapping: properties: required (the file is empty)"},
		"not-yaml":           {"mapping: yaml: line"},
		"duplicate-key":      {"mapping: line 4: properties[0].timezone: duplicate field"},
		"local-zone":         {`mapping: line 3: properties[0].timezone: time zone "Local" depends on the machine`},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "invalid-*.yaml"))
	mustNoErr(t, err)
	if len(files) != len(cases) {
		t.Errorf("%d invalid examples on disk, %d cases", len(files), len(cases))
	}
	for name, wants := range cases {
		t.Run(name, func(t *testing.T) {
			m, err := LoadMapping(filepath.Join("testdata", "invalid-"+name+".yaml"), Defaults{})
			if err == nil {
				t.Fatalf("accepted: %+v", m)
			}
			for _, want := range wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error:\n%v\nwant it to contain %q", err, want)
				}
			}
		})
	}
}

func TestParseMappingJoinsAllErrors(t *testing.T) {
	data := []byte("properties:\n  - entrataPropertyId: \"1\"\n    timezone: Mars/Base\n    accessEndTime: \"99:00\"\n    extra: 1\n")
	_, err := ParseMapping(data, Defaults{})
	var me *MappingError
	if !errors.As(err, &me) {
		t.Fatalf("error %v is not a *MappingError", err)
	}
	if n := strings.Count(err.Error(), "mapping: line"); n != 3 {
		t.Errorf("got %d errors, want 3:\n%v", n, err)
	}
}

func TestLoadMappingMissingFile(t *testing.T) {
	_, err := LoadMapping(filepath.Join(t.TempDir(), "nope.yaml"), Defaults{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v, want not-exist", err)
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]ClockTime{"10:00": {Hour: 10}, "9:05": {Hour: 9, Minute: 5}, "23:59:59": {23, 59, 59}, " 00:00 ": {}} {
		if got, err := ParseClock(in); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "10", "24:00", "10:60", "10:00:60", "10:0", "-1:00", "1:2:3:4", "ab:cd", "100:00"} {
		if _, err := ParseClock(in); err == nil {
			t.Errorf("ParseClock(%q) accepted", in)
		}
	}
}
