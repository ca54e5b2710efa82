package activities

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// Issue 10, case 9: residents with access and no e-mail have no mobile pass;
// status counts them so the manager issues a fob.
func TestMessy9ResidentsWithoutMobilePassAreCounted(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	r := access.Result{Entitlements: []access.Entitlement{
		{ExternalID: "entrata-1", Email: "a@example.com", Window: access.Window{From: earlier}},
		{ExternalID: "entrata-2", Window: access.Window{From: earlier}},                               // living here, no e-mail
		{ExternalID: "entrata-3", Email: " ", Window: access.Window{From: later}},                     // moving in, no e-mail
		{ExternalID: "entrata-4", Window: access.Window{From: earlier.Add(-time.Hour), To: &earlier}}, // gone
	}}
	if got := withoutMobilePass(r, now); got != 2 {
		t.Errorf("withoutMobilePass = %d, want 2 (entrata-2 and entrata-3)", got)
	}
}

// Issue 10, case 2: a name pattern without {buildingName} over two buildings
// with the same unit number is logged once per property and worker.
func TestMessy2UnitNumberClashWarnedOnce(t *testing.T) {
	var buf bytes.Buffer
	a := &Activities{Deps: Deps{Logger: slog.New(slog.NewTextHandler(&buf, nil))}}
	p := access.PropertyPolicy{PropertyID: "100", UnitGroupName: "Unit {unitNumber}"}
	units := []entrata.Unit{{ID: "A", Number: "101", BuildingName: "A"}, {ID: "B", Number: "101", BuildingName: "B"}}
	mem := &propertyMemory{}
	for range 3 {
		a.warnUnitNumberClashes("100", mem, p, units)
	}
	if out := buf.String(); strings.Count(out, "level=WARN") != 1 || !strings.Contains(out, "101") {
		t.Errorf("log = %q, want one warning naming unit number 101", out)
	}
}

// Decode problems keep the lease and customer ids (and nothing else).
func TestRecordProblemKeepsLeaseAndCustomer(t *testing.T) {
	p := recordProblem(entrata.RecordProblem{Kind: "customer", ID: "7", LeaseID: "L1", CustomerID: "7", Field: "moveOutDate", Reason: "before moveInDate"})
	if p.String() != "lease L1 customer 7: moveOutDate: before moveInDate" {
		t.Errorf("problem = %q", p)
	}
}
