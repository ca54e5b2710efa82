package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
)

// Issue 10, case 9: a property without a timezone is logged once at
// start-up with the zone used; the worker does not fail.
func TestMessy9PropertyWithoutTimezoneIsLoggedOnce(t *testing.T) {
	m, err := access.ParseMapping([]byte(`properties:
  - entrataPropertyId: "100"
    buildingGroupIds: [5001]
  - entrataPropertyId: "200"
    timezone: America/Chicago
    buildingGroupIds: [5002]
`), access.Defaults{Timezone: "America/Phoenix"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	logDefaultZones(slog.New(slog.NewTextHandler(&buf, nil)), m)
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "level=WARN") ||
		!strings.Contains(out, "propertyId=100") || !strings.Contains(out, "timezone=America/Phoenix") {
		t.Errorf("log = %q, want one warning for property 100 in America/Phoenix", out)
	}
}
