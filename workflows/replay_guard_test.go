package workflows

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The recorded histories guard every release only if replaying them against
// a non-replay-safe change fails. These tests make such a change on purpose,
// register it under PropertySync's name and require the replayer to refuse
// it; then make the same change behind workflow.GetVersion (the way such a
// change is shipped, see docs/cluster.md) and require it to replay.

// unsafePropertySync is PropertySync with a new step (a timer) in front, as
// a careless edit would add one: old histories have no such timer.
func unsafePropertySync(ctx workflow.Context, in PropertySyncInput) error {
	if err := workflow.Sleep(ctx, time.Second); err != nil {
		return err
	}
	return PropertySync(ctx, in)
}

// patchedPropertySync makes the same change, shipped the safe way: running
// workflows (and their histories) take the old path.
func patchedPropertySync(ctx workflow.Context, in PropertySyncInput) error {
	if v := workflow.GetVersion(ctx, "replay-guard-example-timer", workflow.DefaultVersion, 1); v == 1 {
		if err := workflow.Sleep(ctx, time.Second); err != nil {
			return err
		}
	}
	return PropertySync(ctx, in)
}

func replayAs(t *testing.T, fn any, file string) error {
	t.Helper()
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: PropertySyncWorkflowType})
	return r.ReplayWorkflowHistoryFromJSONFile(nil, file)
}

func recordedHistories(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/property-sync-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories in testdata: %v", err)
	}
	return files
}

func TestReplayCatchesNonDeterministicChange(t *testing.T) {
	for _, f := range recordedHistories(t) {
		err := replayAs(t, unsafePropertySync, f)
		if err == nil {
			t.Fatalf("%s: a workflow with an extra timer replayed cleanly; the replay test would not catch a breaking change", f)
		}
		// TMPRL1100 is the SDK's code for a non-deterministic replay.
		if msg := strings.ToLower(err.Error()); !strings.Contains(msg, "tmprl1100") && !strings.Contains(msg, "nondetermin") {
			t.Fatalf("%s: replay failed, but not with non-determinism: %v", f, err)
		}
		t.Logf("%s: refused as expected: %.120s", filepath.Base(f), err)
	}
}

func TestReplayAcceptsVersionedChange(t *testing.T) {
	for _, f := range recordedHistories(t) {
		if err := replayAs(t, patchedPropertySync, f); err != nil {
			t.Fatalf("%s: the change behind workflow.GetVersion does not replay: %v", f, err)
		}
	}
}
