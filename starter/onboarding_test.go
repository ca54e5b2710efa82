package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/entrata-brivo/entrata-brivo/activities"
)

func TestPreviewCSVIsOneChangePerRow(t *testing.T) {
	at := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	rep := activities.PreviewReport{PropertyID: "100", Rows: []activities.PreviewRow{
		{At: at, Who: "entrata-1", What: "create-user", Why: "a reason, with a comma"},
		{At: at, Who: "entrata-2", Name: `Dana "D" M.`, BrivoID: 42, What: "change-groups", Detail: "add groups 1,2", Why: "line\nbreak"},
	}}
	var b bytes.Buffer
	if err := writePreview(&b, rep, "csv"); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v", err)
	}
	if len(recs) != 3 || strings.Join(recs[0], ",") != "at,who,name,brivoId,what,detail,why" {
		t.Fatalf("records %q; want a header and 2 rows", recs)
	}
	if recs[2][2] != `Dana "D" M.` || recs[2][3] != "42" || recs[2][5] != "add groups 1,2" || recs[1][6] != "a reason, with a comma" {
		t.Fatalf("row fields lost: %q", recs)
	}
}

func TestOnboardingArgs(t *testing.T) {
	f, apply, pos, err := onboardingArgs([]string{"100", "--format", "csv", "--apply"})
	if err != nil || f != "csv" || !apply || len(pos) != 1 || pos[0] != "100" {
		t.Fatalf("got %q %t %q %v", f, apply, pos, err)
	}
	if _, _, _, err := onboardingArgs([]string{"100", "--format=xml"}); err == nil {
		t.Fatal("--format=xml accepted")
	}
	if _, _, _, err := onboardingArgs([]string{"--force", "100"}); err == nil {
		t.Fatal("unknown flag accepted")
	}
}

func TestPlanLostError(t *testing.T) {
	lost := []error{
		fmt.Errorf("workflow: %w", temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START, nil)),
		fmt.Errorf("workflow: %w", temporal.NewApplicationError("plan gone", activities.ErrTypePlanNotCached)),
	}
	for _, err := range lost {
		if !planLostError(err) {
			t.Errorf("%v: not taken for a lost plan", err)
		}
	}
	for _, err := range []error{
		temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_START_TO_CLOSE, nil),
		temporal.NewApplicationError("Brivo says no", activities.ErrTypePermanent),
	} {
		if planLostError(err) {
			t.Errorf("%v: taken for a lost plan", err)
		}
	}
}
