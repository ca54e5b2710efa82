package workflows

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/entrata-brivo/entrata-brivo/activities"
)

// A real continue-as-new round trip: an unpaused run reaches MaxCyclesPerRun
// while the guard holds revocations and a failed apply is pending; the next
// run starts from what it carried. It neither fetches nor applies before the
// carried backoff, applies with the carried token, still says held and
// failing, and approve still releases the held revocations.
func TestContinueAsNewRoundTripKeepsHeldPendingAndBackoff(t *testing.T) {
	const poll = 10 * time.Minute
	failFrom := start.Add(40 * time.Hour)
	env1, f1 := newEnv(t, poll, 24*time.Hour)
	f1.held = 7
	f1.transitions = []time.Time{failFrom}
	f1.applyErr = func(_ int, in activities.ApplyInput) error {
		if !in.At.Before(failFrom) {
			return broken("Brivo")
		}
		return nil
	}
	env1.ExecuteWorkflow(PropertySync, PropertySyncInput{PropertyID: "100"})
	var can *workflow.ContinueAsNewError
	if !errors.As(env1.GetWorkflowError(), &can) {
		t.Fatalf("want continue-as-new after %d cycles, got %v", MaxCyclesPerRun, env1.GetWorkflowError())
	}
	var next PropertySyncInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	c := next.Carried
	if c == nil || c.Paused || !c.ApplyPending || c.Held != 7 || c.Failures == 0 || c.LastError == "" ||
		c.AppliedToken != "tok" || c.Fingerprint != "fp1" || c.WorkerQueue != "wq" || c.Runs != 1 {
		t.Fatalf("carried state = %+v", c)
	}
	handover := env1.Now()
	if handover.Before(failFrom) {
		t.Fatalf("the run ended at %s, before the failures began", handover)
	}
	backoff := min(time.Duration(1<<min(c.Failures, 8))*5*time.Second, failureBackoffMax, poll)

	env2, f2 := newEnv(t, poll, 24*time.Hour)
	env2.SetStartTime(handover)
	f2.held = 7
	var first Status
	env2.RegisterDelayedCallback(func() { first = query[Status](t, env2, QueryStatus) }, time.Second)
	var approved ApproveReport
	var approveErr error
	env2.RegisterDelayedCallback(func() {
		env2.UpdateWorkflow(UpdateApproveRevocations, "approve-after-can", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { approveErr = err },
			OnAccept:   func() {},
			OnComplete: func(v interface{}, err error) { approved, _ = v.(ApproveReport); approveErr = err },
		})
	}, backoff+time.Minute)
	var after Status
	env2.RegisterDelayedCallback(func() { after = query[Status](t, env2, QueryStatus) }, backoff+2*time.Minute)
	env2.RegisterDelayedCallback(env2.CancelWorkflow, backoff+3*time.Minute)
	env2.ExecuteWorkflow(PropertySync, next)

	if first.State != StateHeld || first.HeldRevocation != 7 || first.LastError == "" || first.Run != 1 {
		t.Fatalf("status at the start of the new run = %+v, want held 7 with the last error", first)
	}
	if len(f2.applies) == 0 || len(f2.fetches) > 0 && f2.fetches[0].Before(handover.Add(backoff)) ||
		f2.applyTimes[0].Before(handover.Add(backoff)) {
		t.Fatalf("new run: fetches %v applies %v; nothing may run before the carried backoff (%s after %s)",
			f2.fetches, f2.applyTimes, backoff, handover)
	}
	if !f2.applyTimes[0].Equal(handover.Add(backoff)) || f2.applies[0].AppliedToken != "tok" ||
		f2.applies[0].AllowUnscheduledRevocations {
		t.Fatalf("first apply of the new run at %s with %+v; want the pending apply at %s with the carried token",
			f2.applyTimes[0], f2.applies[0], handover.Add(backoff))
	}
	if approveErr != nil || approved.Released != 7 || approved.Revocations != 7 {
		t.Fatalf("approve in the new run: %+v %v", approved, approveErr)
	}
	if after.State != StateOK || after.HeldRevocation != 0 || after.LastError != "" {
		t.Fatalf("status after approve = %+v", after)
	}
}
