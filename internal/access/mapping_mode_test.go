package access

import (
	"strings"
	"testing"
)

func TestParseMappingMode(t *testing.T) {
	for _, tc := range []struct {
		name, mode string
		want       string
		bad        bool
	}{
		{name: "absent defaults to apply", want: ModeApply},
		{name: "apply", mode: "apply", want: ModeApply},
		{name: "preview", mode: "preview", want: ModePreview},
		{name: "capitalised is refused", mode: "Preview", bad: true},
		{name: "dry-run is refused", mode: "dry-run", bad: true},
		{name: "empty is refused", mode: `""`, bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := "properties:\n  - entrataPropertyId: \"100\"\n    buildingGroupIds: [1]\n"
			if tc.mode != "" {
				y += "    mode: " + tc.mode + "\n"
			}
			m, err := ParseMapping([]byte(y), Defaults{})
			if tc.bad {
				if err == nil || !strings.Contains(err.Error(), "properties[0].mode") {
					t.Fatalf("mode %s: error %v; want one naming properties[0].mode", tc.mode, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p, _ := m.Policy("100")
			if p.Mode != tc.want || p.Previewing() != (tc.want == ModePreview) {
				t.Fatalf("mode %q previewing %t; want %q", p.Mode, p.Previewing(), tc.want)
			}
		})
	}
}
