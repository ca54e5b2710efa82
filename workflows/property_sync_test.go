package workflows

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/entrata-brivo/entrata-brivo/activities"
)

// fakeProperty plays the activities for one property: a schedule of
// transitions (the plan) that polls may change, and a record of every apply.
type fakeProperty struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	mu          sync.Mutex
	fingerprint string
	transitions []time.Time
	fetches     []time.Time
	applies     []activities.ApplyInput
	applyTimes  []time.Time
	held        int // unscheduled revocations the guard would hold

	// Failure hooks (see recovery_test.go): queues[i] is the worker queue
	// the i-th fetch reports (the last one repeats; "wq" when empty);
	// fetchErr and applyErr fail the n-th call when they return an error.
	queues      []string
	fetchIns    []activities.FetchPlanInput
	applyQueues []string
	fetchErr    func(n int, now time.Time) error
	applyErr    func(n int, in activities.ApplyInput) error
	deadHolder  bool // the fetch finds nobody polling the holder's queue
	// applyStartWithin[i] is the i-th apply's schedule-to-start bound, as
	// the workflow set it (seen by applyOptionsSpy).
	applyStartWithin []time.Duration
}

// applyOptionsSpy records the options the workflow gives each ApplyPlan:
// the test environment starts every activity at once, so a timeout meant
// for a dead queue can only be checked as the option the workflow set.
type applyOptionsSpy struct {
	interceptor.WorkerInterceptorBase
	f *fakeProperty
}

func (s *applyOptionsSpy) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &spyInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, f: s.f}
}

type spyInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	f *fakeProperty
}

func (i *spyInbound) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&spyOutbound{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: outbound}, f: i.f})
}

type spyOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	f *fakeProperty
}

func (o *spyOutbound) ExecuteActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	if activityType == "ApplyPlan" {
		o.f.mu.Lock()
		o.f.applyStartWithin = append(o.f.applyStartWithin, workflow.GetActivityOptions(ctx).ScheduleToStartTimeout)
		o.f.mu.Unlock()
	}
	return o.Next.ExecuteActivity(ctx, activityType, args...)
}

func (f *fakeProperty) next(after time.Time) []activities.Transition {
	var out []activities.Transition
	for _, t := range f.transitions {
		if t.After(after) && len(out) < activities.MaxSample {
			out = append(out, activities.Transition{At: t, Who: "entrata-1", Kind: "move-in"})
		}
	}
	return out
}

func (f *fakeProperty) fetch(in activities.FetchPlanInput) (activities.PlanSummary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.env.Now()
	n := len(f.fetches)
	f.fetches = append(f.fetches, now)
	f.fetchIns = append(f.fetchIns, in)
	if f.fetchErr != nil {
		if err := f.fetchErr(n, now); err != nil {
			return activities.PlanSummary{}, err
		}
	}
	sum := activities.PlanSummary{Fingerprint: f.fingerprint, WorkerQueue: "wq", HolderAlive: in.HolderQueue != "" && !f.deadHolder}
	if len(f.queues) > 0 {
		sum.WorkerQueue = f.queues[min(n, len(f.queues)-1)]
	}
	if in.KnownFingerprint != f.fingerprint {
		sum.Changed = true
		sum.Entitled = 3
		sum.WithoutMobilePass = 1
		sum.Next = f.next(now)
	}
	return sum, nil
}

func (f *fakeProperty) apply(queue string, in activities.ApplyInput) (activities.ApplyResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.applies)
	f.applies = append(f.applies, in)
	f.applyTimes = append(f.applyTimes, f.env.Now())
	f.applyQueues = append(f.applyQueues, queue)
	if f.applyErr != nil {
		if err := f.applyErr(n, in); err != nil {
			return activities.ApplyResult{}, err
		}
	}
	res := activities.ApplyResult{AppliedToken: "tok", Active: 2, Next: f.next(in.At), Audited: in.Audit}
	if f.held > 0 && !in.AllowUnscheduledRevocations {
		res.Held, res.HoldReason = f.held, "test"
	} else if f.held > 0 {
		res.Revocations = f.held
		f.held = 0
	}
	return res, nil
}

var start = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, poll, audit time.Duration) (*testsuite.TestWorkflowEnvironment, *fakeProperty) {
	t.Helper()
	return newEnvFetching(t, poll, audit, 0)
}

// newEnvFetching is newEnv with fetches that take fetchTakes (waiting in
// the Entrata queue).
func newEnvFetching(t *testing.T, poll, audit, fetchTakes time.Duration) (*testsuite.TestWorkflowEnvironment, *fakeProperty) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.SetTestTimeout(30 * time.Second)
	env.RegisterWorkflow(PropertySync)
	f := &fakeProperty{t: t, env: env, fingerprint: "fp1"}
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{&applyOptionsSpy{f: f}}})
	env.OnActivity(a.Settings, mock.Anything).Return(activities.Settings{PollInterval: poll, AuditInterval: audit}, nil)
	fetch := env.OnActivity(a.FetchPlan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FetchPlanInput) (activities.PlanSummary, error) {
			return f.fetch(in)
		})
	if fetchTakes > 0 {
		fetch.After(fetchTakes)
	}
	env.OnActivity(a.ApplyPlan, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.ApplyInput) (activities.ApplyResult, error) {
			return f.apply(activity.GetInfo(ctx).TaskQueue, in)
		})
	return env, f
}

func run(env *testsuite.TestWorkflowEnvironment, stopAfter time.Duration) {
	env.RegisterDelayedCallback(env.CancelWorkflow, stopAfter)
	env.ExecuteWorkflow(PropertySync, PropertySyncInput{PropertyID: "100"})
}

func query[T any](t *testing.T, env *testsuite.TestWorkflowEnvironment, name string) T {
	t.Helper()
	v, err := env.QueryWorkflow(name)
	if err != nil {
		t.Fatalf("query %s: %v", name, err)
	}
	var out T
	if err := v.Get(&out); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return out
}

func appliedAt(f *fakeProperty, at time.Time) bool {
	for _, t := range f.applyTimes {
		if t.Equal(at) {
			return true
		}
	}
	return false
}

// A transition that falls due while a poll waits in the Entrata queue is
// made at its instant, from the plan the holder has, not when the poll
// comes back: with fetches taking 40 s, the first fetch returns at 40 s, the
// poll due at 100 s returns at 140 s, and the transition at 120 s is applied
// at 120 s.
func TestTransitionDuringASlowPollIsAppliedAtItsInstant(t *testing.T) {
	env, f := newEnvFetching(t, time.Minute, 24*time.Hour, 40*time.Second)
	instant := start.Add(120 * time.Second)
	f.transitions = []time.Time{instant}
	run(env, 3*time.Minute)
	if len(f.fetches) < 2 {
		t.Fatalf("%d fetches, want the first and the poll at 100 s", len(f.fetches))
	}
	// The fake records a fetch when it answers, after the 40 s.
	if back := f.fetches[1]; back.Add(-40*time.Second).After(instant) || !back.After(instant) {
		t.Fatalf("the poll came back at %s: the transition did not fall during it", back.Sub(start))
	}
	if !appliedAt(f, instant) {
		t.Fatalf("the transition at +120 s was not applied at its instant; applies at %v", f.applyTimes)
	}
}

func TestTransitionsOver90DaysApplyAtTheirInstant(t *testing.T) {
	env, f := newEnv(t, 7*24*time.Hour, 30*24*time.Hour)
	for _, d := range []time.Duration{
		26*time.Hour + 13*time.Minute, 9*24*time.Hour + 4*time.Hour, 30*24*time.Hour + 22*time.Hour,
		45 * 24 * time.Hour, 61*24*time.Hour + 3*time.Hour + 7*time.Second, 89 * 24 * time.Hour,
	} {
		f.transitions = append(f.transitions, start.Add(d))
	}
	run(env, 90*24*time.Hour)
	if !errors.Is(env.GetWorkflowError(), workflow.ErrCanceled) && env.GetWorkflowError() == nil {
		t.Fatalf("workflow should end by cancellation")
	}
	for _, tr := range f.transitions {
		if !appliedAt(f, tr) {
			t.Errorf("no apply at transition %s; applies at %v", tr, f.applyTimes)
		}
	}
	// Applies happen only at transitions, audits and the first cycle; never
	// at every poll when nothing changed.
	if len(f.applies) > len(f.transitions)+5 {
		t.Errorf("too many applies: %d", len(f.applies))
	}
}

// A transition less than a second after a cycle (here a poll) is not left
// to a timer, which would fire a whole second later: the next cycle starts
// at once, for the transition's instant, and the apply waits for it.
func TestTransitionUnderASecondAwayIsNotLeftToATimer(t *testing.T) {
	env, f := newEnv(t, time.Hour, 24*time.Hour)
	poll := start.Add(time.Hour)
	tr := poll.Add(300 * time.Millisecond)
	f.transitions = []time.Time{tr}
	run(env, 2*time.Hour)
	for i, in := range f.applies {
		if in.At.Equal(tr) {
			if !f.applyTimes[i].Equal(poll) {
				t.Fatalf("the apply for %s was scheduled at %s, want at once after the poll at %s", tr, f.applyTimes[i], poll)
			}
			return
		}
	}
	t.Fatalf("no apply for the instant %s; applies at %v", tr, f.applyTimes)
}

// So is an audit less than a second after a cycle: its timer would fire a
// second later, past a transition due just after the audit, which would
// then wait for the timer and the start of the audit's apply.
func TestAuditUnderASecondAwayIsNotLeftToATimer(t *testing.T) {
	env, f := newEnv(t, time.Hour, time.Hour+200*time.Millisecond)
	poll := start.Add(time.Hour)
	audit := poll.Add(200 * time.Millisecond)
	f.transitions = []time.Time{audit.Add(400 * time.Millisecond)}
	run(env, 2*time.Hour)
	for i, in := range f.applies {
		if in.Audit && !in.At.Before(poll) { // not the first cycle's
			if !in.At.Equal(audit) || !f.applyTimes[i].Equal(poll) {
				t.Fatalf("the audit for %s was scheduled at %s for %s, want at once after the poll at %s",
					audit, f.applyTimes[i], in.At, poll)
			}
			return
		}
	}
	t.Fatalf("no audit apply; applies at %v", f.applyTimes)
}

func TestPollPicksUpNoticeAndReaimsTimer(t *testing.T) {
	env, f := newEnv(t, time.Hour, 24*time.Hour)
	moveOut := start.Add(5*time.Hour + 30*time.Minute)
	env.RegisterDelayedCallback(func() {
		f.mu.Lock()
		f.fingerprint = "fp2" // a notice appeared in Entrata
		f.transitions = []time.Time{moveOut}
		f.mu.Unlock()
	}, 90*time.Minute)
	run(env, 10*time.Hour)
	if !appliedAt(f, moveOut) {
		t.Fatalf("move-out at %s not applied at its instant; applies at %v", moveOut, f.applyTimes)
	}
	// The notice was seen by the 2h poll, the first after the change.
	var sawChange bool
	for _, in := range f.applies {
		if in.Fingerprint == "fp2" {
			sawChange = true
		}
	}
	if !sawChange {
		t.Fatal("no apply used the new plan")
	}
}

func TestSyncNowPreemptsTimer(t *testing.T) {
	env, f := newEnv(t, 24*time.Hour, 24*time.Hour)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalSyncNow, nil) }, 3*time.Hour)
	run(env, 5*time.Hour)
	if len(f.fetches) != 2 || !f.fetches[1].Equal(start.Add(3*time.Hour)) {
		t.Fatalf("fetches at %v, want start and start+3h", f.fetches)
	}
}

func TestPauseStopsApplyingButStatusAnswers(t *testing.T) {
	env, f := newEnv(t, time.Hour, 24*time.Hour)
	f.transitions = []time.Time{start.Add(2 * time.Hour), start.Add(6 * time.Hour)}
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalPause, nil) }, time.Hour)
	var during Status
	env.RegisterDelayedCallback(func() { during = query[Status](t, env, QueryStatus) }, 3*time.Hour)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalResume, nil) }, 4*time.Hour)
	run(env, 8*time.Hour)

	for _, at := range f.applyTimes {
		if at.After(start.Add(time.Hour)) && at.Before(start.Add(4*time.Hour)) {
			t.Errorf("applied at %s while paused", at)
		}
	}
	if !during.Paused || during.State != StatePaused {
		t.Errorf("status while paused = %+v", during)
	}
	if during.WithoutMobilePass != 1 {
		t.Errorf("status withoutMobilePass = %d, want the plan's 1 (residents to give a fob)", during.WithoutMobilePass)
	}
	if !appliedAt(f, start.Add(4*time.Hour)) {
		t.Errorf("resume did not reconcile at once; applies at %v", f.applyTimes)
	}
	if !appliedAt(f, start.Add(6*time.Hour)) {
		t.Errorf("transition after resume not applied; applies at %v", f.applyTimes)
	}
}

func TestGuardHoldsAndApproveReleases(t *testing.T) {
	env, f := newEnv(t, time.Hour, 24*time.Hour)
	f.held = 7
	var held Status
	var approved ApproveReport
	var approveErr error
	env.RegisterDelayedCallback(func() {
		held = query[Status](t, env, QueryStatus)
		env.UpdateWorkflow(UpdateApproveRevocations, "approve-1", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { approveErr = err },
			OnAccept:   func() {},
			OnComplete: func(v interface{}, err error) { approved, _ = v.(ApproveReport); approveErr = err },
		})
	}, 30*time.Minute)
	var after Status
	env.RegisterDelayedCallback(func() { after = query[Status](t, env, QueryStatus) }, 45*time.Minute)
	run(env, 2*time.Hour)

	if held.State != StateHeld || held.HeldRevocation != 7 {
		t.Fatalf("status before approval = %+v, want held 7", held)
	}
	if approveErr != nil {
		t.Fatalf("approve: %v", approveErr)
	}
	if approved.Released != 7 || approved.Revocations != 7 {
		t.Fatalf("approve report = %+v", approved)
	}
	if after.State != StateOK || after.HeldRevocation != 0 {
		t.Fatalf("status after approval = %+v", after)
	}
	var allowed int
	for _, in := range f.applies {
		if in.AllowUnscheduledRevocations {
			allowed++
		}
	}
	if allowed != 1 {
		t.Fatalf("%d applies allowed unscheduled revocations, want exactly 1", allowed)
	}
}

func TestApproveIsRejectedWhenNothingIsHeld(t *testing.T) {
	env, _ := newEnv(t, time.Hour, 24*time.Hour)
	var rejected error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateApproveRevocations, "approve-1", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { rejected = err },
			OnAccept:   func() { t.Error("approve accepted with nothing held") },
			OnComplete: func(interface{}, error) {},
		})
	}, 10*time.Minute)
	run(env, time.Hour)
	if rejected == nil {
		t.Fatal("approve not rejected")
	}
}

func TestSyncUpdateReturnsReport(t *testing.T) {
	env, f := newEnv(t, 24*time.Hour, 24*time.Hour)
	var report SyncReport
	var uerr error
	env.RegisterDelayedCallback(func() {
		f.mu.Lock()
		f.fingerprint = "fp2"
		f.transitions = []time.Time{start.Add(50 * time.Hour)}
		f.mu.Unlock()
		env.UpdateWorkflow(UpdateSync, "sync-1", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { uerr = err }, OnAccept: func() {},
			OnComplete: func(v interface{}, err error) { report, _ = v.(SyncReport); uerr = err },
		}, &SyncRequest{Reason: "test"})
	}, 2*time.Hour)
	run(env, 3*time.Hour)
	if uerr != nil {
		t.Fatal(uerr)
	}
	if !report.Fetched || !report.EntrataChanged || !report.Applied {
		t.Fatalf("report = %+v", report)
	}
	if report.NextTransition == nil || !report.NextTransition.Equal(start.Add(50*time.Hour)) {
		t.Fatalf("next transition = %v", report.NextTransition)
	}
}

func TestContinueAsNewCarriesStateAndLosesNoSignal(t *testing.T) {
	env, f := newEnv(t, 24*time.Hour, 24*time.Hour)
	f.transitions = []time.Time{start.Add(48 * time.Hour)}
	var updated SyncReport
	var uerr error
	env.RegisterDelayedCallback(func() {
		env.SetContinueAsNewSuggested(true)
		env.UpdateWorkflow(UpdateSync, "sync-before-can", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { uerr = err }, OnAccept: func() {},
			OnComplete: func(v interface{}, err error) { updated, _ = v.(SyncReport); uerr = err },
		})
		env.SignalWorkflow(SignalPause, nil)
		env.SignalWorkflow(SignalSyncNow, nil)
	}, 5*time.Hour)
	env.ExecuteWorkflow(PropertySync, PropertySyncInput{PropertyID: "100"})

	var can *workflow.ContinueAsNewError
	if !errors.As(env.GetWorkflowError(), &can) {
		t.Fatalf("want continue-as-new, got %v", env.GetWorkflowError())
	}
	if uerr != nil || updated.PropertyID != "100" || !updated.Fetched {
		t.Fatalf("update across the boundary: report %+v err %v", updated, uerr)
	}
	// The sync-now signal sent just before the boundary was served.
	if len(f.fetches) < 2 || !f.fetches[len(f.fetches)-1].Equal(start.Add(5*time.Hour)) {
		t.Fatalf("sync-now before continue-as-new not served: fetches %v", f.fetches)
	}
	var next PropertySyncInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	c := next.Carried
	if c == nil || !c.Paused || c.Fingerprint != "fp1" || c.AppliedToken != "tok" ||
		len(c.Next) != 1 || !c.Next[0].At.Equal(start.Add(48*time.Hour)) || c.Runs != 1 {
		t.Fatalf("carried state = %+v", c)
	}
}

func TestCarriedStateSkipsRefetchUntilPollDue(t *testing.T) {
	env, f := newEnv(t, 24*time.Hour, 24*time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	env.ExecuteWorkflow(PropertySync, PropertySyncInput{PropertyID: "100", Carried: &CarriedState{
		Fingerprint: "fp1", WorkerQueue: "wq", AppliedToken: "tok",
		LastFetch: start.Add(-time.Hour), LastAudit: start.Add(-time.Hour), LastApply: start.Add(-time.Hour),
		Paused: true,
	}})
	if len(f.fetches) != 0 || len(f.applies) != 0 {
		t.Fatalf("fetches %v applies %d: a continued run must not redo work that is not due", f.fetches, len(f.applies))
	}
}

func TestActivityNamesMatchContract(t *testing.T) {
	if activities.PropertySyncType != PropertySyncWorkflowType ||
		activities.SyncNowSignal != SignalSyncNow ||
		activities.PropertySyncIDPrefix+"7" != PropertySyncWorkflowID("7") ||
		SearchAttrPropertyID.GetName() != "EntrataPropertyId" || SearchAttrSyncState.GetName() != "SyncState" {
		t.Fatal("activities and workflows disagree on contract names")
	}
}
