package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/entrata-brivo/entrata-brivo/activities"
)

func TestAdoptUpdateAdoptsThenForcesABrivoRead(t *testing.T) {
	env, f := newEnv(t, time.Hour, 24*time.Hour)
	var adoptIn activities.OperatorInput
	env.OnActivity(a.AdoptUsers, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OperatorInput) (activities.AdoptionApplyResult, error) {
			adoptIn = in
			return activities.AdoptionApplyResult{Adopted: 25, Ambiguous: 3, NotInEntrata: 2}, nil
		})
	var res activities.AdoptionApplyResult
	var uerr error
	var appliesBefore int
	env.RegisterDelayedCallback(func() {
		f.mu.Lock()
		appliesBefore = len(f.applies)
		f.mu.Unlock()
		env.UpdateWorkflow(UpdateAdopt, "adopt-1", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { uerr = err }, OnAccept: func() {},
			OnComplete: func(v interface{}, err error) { res, _ = v.(activities.AdoptionApplyResult); uerr = err },
		})
	}, 10*time.Minute)
	run(env, 20*time.Minute)
	if uerr != nil || res.Adopted != 25 || res.Ambiguous != 3 || res.NotInEntrata != 2 {
		t.Fatalf("adopt update: %+v, %v", res, uerr)
	}
	if adoptIn.PropertyID != "100" || adoptIn.Fingerprint != "fp1" {
		t.Fatalf("AdoptUsers input %+v", adoptIn)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.applies) <= appliesBefore {
		t.Fatal("no apply after the adoption")
	}
	if next := f.applies[appliesBefore]; next.AppliedToken != "" {
		t.Fatalf("the apply after the adoption trusts token %q; want a fresh Brivo read", next.AppliedToken)
	}
}

func TestAdoptIsRejectedWithoutAPlan(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.RegisterWorkflow(PropertySync)
	env.OnActivity(a.Settings, mock.Anything).Return(activities.Settings{PollInterval: time.Hour, AuditInterval: time.Hour}, nil)
	env.OnActivity(a.FetchPlan, mock.Anything, mock.Anything).Return(activities.PlanSummary{}, context.DeadlineExceeded)
	var rejected error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateAdopt, "adopt-1", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { rejected = err }, OnAccept: func() { t.Error("adopt accepted without a plan") },
			OnComplete: func(interface{}, error) {},
		})
	}, time.Minute)
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Minute)
	env.ExecuteWorkflow(PropertySync, PropertySyncInput{PropertyID: "100"})
	if rejected == nil {
		t.Fatal("adopt not rejected")
	}
}

func TestPreviewApplyShowsCountsInStatus(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.RegisterWorkflow(PropertySync)
	env.OnActivity(a.Settings, mock.Anything).Return(activities.Settings{PollInterval: time.Hour, AuditInterval: time.Hour}, nil)
	env.OnActivity(a.FetchPlan, mock.Anything, mock.Anything).Return(activities.PlanSummary{Fingerprint: "fp", WorkerQueue: "wq", Changed: true}, nil)
	env.OnActivity(a.ApplyPlan, mock.Anything, mock.Anything).Return(activities.ApplyResult{Preview: true, Audited: true,
		AppliedToken: "preview-fp", Changes: map[string]int{"create-user": 30, "invite-mobile-pass": 28}}, nil)
	var st Status
	env.RegisterDelayedCallback(func() { st = query[Status](t, env, QueryStatus) }, time.Minute)
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Minute)
	env.ExecuteWorkflow(PropertySync, PropertySyncInput{PropertyID: "100"})
	if st.Mode != "preview" || st.PreviewChanges["create-user"] != 30 || st.PreviewChanges["invite-mobile-pass"] != 28 || st.Granted != 0 {
		t.Fatalf("status in preview: %+v", st)
	}
}

func TestPropertyOperatorRunsTheCommandOnThePlanWorker(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(PropertyOperator)
	env.OnActivity(a.Explain, mock.Anything, activities.OperatorInput{PropertyID: "100", Who: "entrata-7"}).Return(
		activities.Explanation{ExternalID: "entrata-7", Verdict: "current"}, nil)
	env.ExecuteWorkflow(PropertyOperator, OperatorInput{Command: OperatorExplain, PropertyID: "100", WorkerQueue: "wq", Who: "entrata-7"})
	var out OperatorResult
	if err := env.GetWorkflowResult(&out); err != nil || out.Explain == nil || out.Explain.Verdict != "current" {
		t.Fatalf("explain: %+v %v", out, err)
	}

	env = suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(PropertyOperator)
	env.ExecuteWorkflow(PropertyOperator, OperatorInput{Command: "rm -rf", PropertyID: "100", WorkerQueue: "wq"})
	if env.GetWorkflowError() == nil {
		t.Fatal("an unknown command was accepted")
	}
}
