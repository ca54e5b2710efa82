package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/entrata-brivo/entrata-brivo/activities"
)

// MaxCyclesPerRun bounds a run's history even when the server never suggests
// continue-as-new: a steady-state cycle costs about a dozen events.
const MaxCyclesPerRun = 250

// failureBackoffMax caps how long a failing property waits before retrying.
const failureBackoffMax = 5 * time.Minute

// a is the nil receiver through which workflow code names activities.
var a *activities.Activities

// PropertySync keeps one property's Brivo access in step with Entrata. It
// loops forever: read Entrata (FetchPlan) when a poll is due or asked for,
// apply what is due now (ApplyPlan), then sleep on one timer aimed at the
// earliest of the next move-in/move-out transition, the next poll and the
// next audit, or until a signal or update wakes it.
func PropertySync(ctx workflow.Context, in PropertySyncInput) error {
	if in.PropertyID == "" {
		return temporal.NewNonRetryableApplicationError("PropertySync input: propertyId is required", "BadInput", nil)
	}
	s := &syncer{propertyID: in.PropertyID, log: workflow.GetLogger(ctx)}
	if in.Carried != nil {
		s.st = *in.Carried
	}
	if err := s.registerHandlers(ctx); err != nil {
		return err
	}
	if err := s.loadSettings(ctx); err != nil {
		return err
	}
	s.upsertState(ctx, true)
	if in.Carried != nil && in.Carried.Failures > 0 {
		// The last run ended failing: keep its backoff rather than retry at
		// once because the run changed.
		if workflow.GetVersion(ctx, "carried-backoff", workflow.DefaultVersion, 1) == 1 {
			if err := s.sleep(ctx); err != nil {
				s.log.Info("PropertySync cancelled", "PropertyID", s.propertyID)
				return err
			}
		}
	}

	for cycles := 0; ; cycles++ {
		s.drainSignals()
		s.cycle(ctx)
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() || cycles+1 >= MaxCyclesPerRun {
			return s.continueAsNew(ctx)
		}
		if err := s.sleep(ctx); err != nil {
			// Cancelled by an operator: stop cleanly. Nothing is revoked.
			s.log.Info("PropertySync cancelled", "PropertyID", s.propertyID)
			return err
		}
	}
}

// syncer holds one run's state; handlers and the loop share it, which is safe
// because workflow code runs one coroutine at a time.
type syncer struct {
	propertyID string
	st         CarriedState
	settings   activities.Settings
	log        log.Logger

	sa          string // last SyncState written
	inCycle     bool
	cyclesDone  int
	lastReport  SyncReport
	lastApprove ApproveReport
	nextWake    time.Time
	// cycleAt is the instant the next cycle runs for when it starts before
	// it: a transition less than a second away (see sleep).
	cycleAt time.Time

	syncNowCh, pauseCh, resumeCh workflow.ReceiveChannel
}

func (s *syncer) loadSettings(ctx workflow.Context) error {
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
	})
	if err := workflow.ExecuteLocalActivity(lctx, a.Settings).Get(ctx, &s.settings); err != nil {
		return fmt.Errorf("read worker settings: %w", err)
	}
	return nil
}

// cycle runs one reconcile: fetch if due, apply if anything is due.
func (s *syncer) cycle(ctx workflow.Context) {
	s.inCycle = true
	defer func() { s.inCycle = false; s.cyclesDone++ }()

	now := workflow.Now(ctx)
	if s.cycleAt.After(now) {
		now = s.cycleAt // the apply waits for this instant itself
	}
	s.cycleAt = time.Time{}
	forced := s.st.SyncRequested
	s.st.SyncRequested = false
	approve := s.st.ApproveNext
	report := SyncReport{PropertyID: s.propertyID, At: now, Paused: s.st.Paused}

	needFetch := forced || s.st.Fingerprint == "" || s.st.WorkerQueue == "" ||
		!now.Before(s.st.LastFetch.Add(s.settings.PollInterval))
	transitionFirst := false
	if needFetch && !forced && !s.st.Paused && s.st.Fingerprint != "" && s.st.WorkerQueue != "" &&
		len(s.st.Next) > 0 && !s.st.Next[0].At.After(now) &&
		workflow.GetVersion(ctx, "transition-before-poll", workflow.DefaultVersion, 1) == 1 {
		// A transition is due as well as a poll: apply it first, from the
		// plan its worker holds, so that it waits neither for the Entrata
		// round trip (queued behind the shared Entrata budget) nor for
		// Entrata to come back when the fetch is failing. The next cycle,
		// at once (or after the fetch's backoff), polls.
		needFetch, transitionFirst = false, true
	}
	failures, lastError := s.st.Failures, s.st.LastError
	changed := false
	if needFetch {
		sum, err := s.fetch(ctx)
		report.Fetched = true
		if err != nil {
			if len(s.st.Next) > 0 && !s.st.Next[0].At.After(now) &&
				workflow.GetVersion(ctx, "pending-after-failed-fetch", workflow.DefaultVersion, 1) == 1 {
				// A transition is due: sleep drops it from Next, so
				// remember that an apply is owed once the fetch works.
				s.st.ApplyPending = true
			}
			s.failed(ctx, "fetch", err, &report)
			s.finish(ctx, report)
			return
		}
		changed = sum.Changed
		report.EntrataChanged = changed
	}

	transitionDue := len(s.st.Next) > 0 && !s.st.Next[0].At.After(now)
	due := s.st.due(now)
	s.st.dropPast(now)
	auditDue := !now.Before(s.st.LastAudit.Add(s.settings.AuditInterval))
	needApply := changed || transitionDue || auditDue || forced || approve || s.st.ApplyPending ||
		s.st.AppliedToken == ""
	if s.st.Paused || !needApply {
		if needApply {
			s.st.ApplyPending = true // applied on resume
		} else if needFetch {
			s.succeeded(now)
		}
		s.finish(ctx, report)
		return
	}

	startWithin := unconfirmedHolderStartWithin
	if needFetch {
		startWithin = applyStartWithin // this cycle's poll has just seen the holder
	}
	res, err := s.apply(ctx, now, auditDue, approve, startWithin)
	if err != nil {
		s.st.ApplyPending = true
		s.failed(ctx, "apply", err, &report)
		s.finish(ctx, report)
		return
	}
	s.st.ApplyPending = false
	s.logApplied(due)
	if approve {
		s.st.ApproveNext = false
		s.lastApprove = ApproveReport{Released: s.st.Held - res.Held, StillHeld: res.Held, Revocations: res.Revocations}
		if s.lastApprove.Released < 0 {
			s.lastApprove.Released = 0
		}
	}
	s.record(ctx, now, res, &report)
	if transitionFirst && failures > 0 {
		// The poll this cycle put off is still failing: keep saying so,
		// and keep its backoff.
		s.st.Failures, s.st.LastError = failures, lastError
	}
	s.finish(ctx, report)
}

func (s *syncer) fetch(ctx workflow.Context) (activities.PlanSummary, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		// The Entrata queue is rate-limited by the server to the shared
		// budget: a fetch may wait there, so no schedule-to-start bound.
		TaskQueue:           EntrataTaskQueue(workflow.GetInfo(ctx).TaskQueueName),
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    2 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    2 * time.Minute,
			MaximumAttempts:    6,
		},
	})
	var sum activities.PlanSummary
	in := activities.FetchPlanInput{PropertyID: s.propertyID, KnownFingerprint: s.st.Fingerprint, HolderQueue: s.st.WorkerQueue}
	if s.st.WorkerQueue == "" {
		in.KnownFingerprint = "" // no worker holds the plan: ask for it in full
	}
	if err := s.awaitFetch(ctx, workflow.ExecuteActivity(actx, a.FetchPlan, in), &sum); err != nil {
		return sum, err
	}
	s.st.LastFetch = workflow.Now(ctx)
	if sum.WorkerQueue != s.st.WorkerQueue {
		if !sum.Changed && s.st.WorkerQueue != "" && sum.HolderAlive &&
			workflow.GetVersion(ctx, "keep-plan-holder", workflow.DefaultVersion, 1) == 1 {
			// Entrata has not changed, so the worker that applied last,
			// still polling, holds this very plan (same fingerprint):
			// keep applying there, with what it believes of Brivo, rather
			// than make the fetching worker read the whole property
			// again. (A holder that has just died still looks alive for
			// up to a minute: its apply's plan-not-cached or
			// schedule-to-start timeout then refetches on a live one.)
			sum.WorkerQueue = s.st.WorkerQueue
		} else {
			// Another worker holds the plan now; what it believes of
			// Brivo is unknown, so the next apply reads Brivo first.
			s.st.AppliedToken = ""
		}
	}
	s.st.Fingerprint, s.st.WorkerQueue = sum.Fingerprint, sum.WorkerQueue
	if sum.Changed {
		s.st.Entitled = sum.Entitled
		s.st.Problems = sum.Problems
		s.st.ProblemSample = sum.ProblemSample
		s.st.UnmappedUnits = sum.UnmappedUnits
		s.st.WithoutMobilePass = sum.WithoutMobilePass
		s.st.Next = sum.Next
		if len(sum.UnmappedUnits) > 0 {
			s.log.Warn("Units without a Brivo group; their residents get building groups only",
				"PropertyID", s.propertyID, "UnmappedUnits", len(sum.UnmappedUnits))
		}
	}
	return sum, nil
}

// fetchTransitionHorizon: a fetch in flight looks out for transitions due
// within this long (its start-to-close bound); a later one is made by the
// cycle after it.
const fetchTransitionHorizon = 5 * time.Minute

// awaitFetch waits for the fetch fut into sum. A fetch runs on the Entrata
// queue, held to the shared Entrata budget: when every property polls at
// once (at the end of a portfolio's initial sync) it waits there for many
// seconds (a transfer-in was once 19 s late behind one). So while it waits,
// each transition that falls due is made at its instant from the plan the
// holder has (version "transition-during-fetch"), as a routine apply would:
// a transition never waits for Entrata. An apply that fails leaves the
// apply owed to the cycle, which makes it once the fetch is back.
func (s *syncer) awaitFetch(ctx workflow.Context, fut workflow.Future, sum *activities.PlanSummary) error {
	for !fut.IsReady() {
		if s.st.Paused || s.st.Fingerprint == "" || s.st.WorkerQueue == "" || s.st.AppliedToken == "" ||
			len(s.st.Next) == 0 {
			break
		}
		at := s.st.Next[0].At
		wait := at.Sub(workflow.Now(ctx))
		if wait > fetchTransitionHorizon ||
			workflow.GetVersion(ctx, "transition-during-fetch", workflow.DefaultVersion, 1) != 1 {
			break
		}
		if wait > 0 {
			tctx, cancel := workflow.WithCancel(ctx)
			fired := false
			sel := workflow.NewSelector(ctx)
			sel.AddFuture(fut, func(workflow.Future) {})
			sel.AddFuture(workflow.NewTimer(tctx, wait), func(workflow.Future) { fired = true })
			sel.Select(ctx)
			// Cancels the timer if the fetch came back first, and detaches
			// tctx from ctx either way (a fired timer is left as it is).
			cancel()
			if !fired {
				break // the fetch came back first: the cycle goes on
			}
		}
		due := s.st.due(at)
		res, err := s.apply(ctx, at, false, false, unconfirmedHolderStartWithin)
		if err != nil {
			s.st.ApplyPending = true
			s.log.Warn("A transition due during a poll could not be applied; the poll's cycle applies it",
				"PropertyID", s.propertyID, "At", at, "Error", err)
			break
		}
		s.logApplied(due)
		var report SyncReport
		s.record(ctx, at, res, &report)
		s.st.dropPast(at)
	}
	return fut.Get(ctx, sum)
}

// logApplied logs the transitions an apply made.
func (s *syncer) logApplied(due []Transition) {
	for _, tr := range due {
		// Who is the Brivo external id: no personal data in logs.
		s.log.Info("Access transition applied", "PropertyID", s.propertyID, "Kind", tr.Kind, "Who", tr.Who,
			"At", tr.At, "GroupID", tr.GroupID)
	}
}

// How long an apply may wait to start on the worker queue holding the plan.
// The plan lives in the memory of the worker that fetched it; if that worker
// is gone the task is never picked up, so the workflow gives up and fetches
// again on a live worker (planLost). A live worker starts an apply in
// milliseconds (its own queue has 1,000 slots), so the bound only prices a
// dead holder, and a false timeout costs one refetch and a full read of the
// property.
//   - An apply in the cycle whose poll has just found the holder polling
//     (or made the polling worker the holder) gets a bound that a loaded
//     server or machine never trips.
//   - Any other apply (a transition between polls, or ahead of a due poll)
//     goes to a holder nobody has checked since the last poll: after an
//     outage, a crash or a rolling restart it is gone. Finding out in
//     seconds is what makes a group change due then late by seconds, not
//     by the bound.
//
// Timeouts are not among what replay compares (activity id and type), so
// changing them needs no version marker.
const (
	applyStartWithin             = 30 * time.Second
	unconfirmedHolderStartWithin = 5 * time.Second
)

func (s *syncer) apply(ctx workflow.Context, now time.Time, audit, approve bool, startWithin time.Duration) (activities.ApplyResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              s.st.WorkerQueue,
		ScheduleToStartTimeout: startWithin,
		StartToCloseTimeout:    30 * time.Minute,
		HeartbeatTimeout:       10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			MaximumAttempts:        10,
			NonRetryableErrorTypes: []string{activities.ErrTypePlanNotCached},
		},
	})
	in := activities.ApplyInput{
		PropertyID:                  s.propertyID,
		Fingerprint:                 s.st.Fingerprint,
		At:                          now,
		AppliedToken:                s.st.AppliedToken,
		Audit:                       audit,
		AllowUnscheduledRevocations: approve,
	}
	var res activities.ApplyResult
	err := workflow.ExecuteActivity(actx, a.ApplyPlan, in).Get(ctx, &res)
	if err != nil && planLost(err) {
		// Fetch afresh on a live worker and apply there, once.
		s.log.Info("The worker holding the plan did not take the apply; fetching on a live worker",
			"PropertyID", s.propertyID, "WorkerQueue", s.st.WorkerQueue, "Error", err)
		s.st.WorkerQueue, s.st.AppliedToken = "", ""
		if _, ferr := s.fetch(ctx); ferr != nil {
			return res, ferr
		}
		actx = workflow.WithTaskQueue(actx, s.st.WorkerQueue)
		actx = workflow.WithScheduleToStartTimeout(actx, applyStartWithin) // just seen alive
		in.Fingerprint, in.AppliedToken = s.st.Fingerprint, ""
		err = workflow.ExecuteActivity(actx, a.ApplyPlan, in).Get(ctx, &res)
	}
	return res, err
}

// planLost reports whether apply failed because no live worker holds the
// plan: its worker queue had no poller, or the worker restarted.
func planLost(err error) bool {
	var te *temporal.TimeoutError
	if errors.As(err, &te) && te.TimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START {
		return true
	}
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.Type() == activities.ErrTypePlanNotCached
}

func (s *syncer) record(ctx workflow.Context, now time.Time, res activities.ApplyResult, report *SyncReport) {
	wasHeld := s.st.Held
	s.st.AppliedToken = res.AppliedToken
	s.st.LastApply = now
	if res.Audited {
		s.st.LastAudit = now
		s.st.Unlisted = res.Unlisted
	}
	s.st.Active = res.Active
	s.st.Held, s.st.HoldReason = res.Held, res.HoldReason
	s.st.Preview, s.st.PreviewChanges = res.Preview, nil
	if res.Preview {
		s.st.PreviewChanges = res.Changes
	}
	if res.Next != nil || res.AppliedToken != "" {
		s.st.Next = res.Next
	}
	if res.Problems > 0 || len(res.ProblemSample) > 0 {
		s.st.Problems = res.Problems
		s.st.ProblemSample = res.ProblemSample
	}
	s.succeeded(now)

	report.Applied = true
	report.Audited = res.Audited
	report.Changes = res.Changes
	report.Grants, report.Revocations = res.Grants, res.Revocations
	report.Problems, report.ProblemSample = res.Problems, res.ProblemSample
	report.Held = res.Held
	report.Preview = res.Preview

	if res.Grants+res.Revocations > 0 {
		s.log.Info("Applied access changes", "PropertyID", s.propertyID,
			"Grants", res.Grants, "Revocations", res.Revocations, "Active", res.Active, "Audited", res.Audited)
	}
	if res.Held > 0 && wasHeld == 0 {
		s.log.Warn("Mass-revocation guard is holding revocations; approve with the approve-revocations update",
			"PropertyID", s.propertyID, "Held", res.Held, "Reason", res.HoldReason)
	}
	if res.Held == 0 && wasHeld > 0 {
		s.log.Info("Held revocations released", "PropertyID", s.propertyID)
	}
}

func (s *syncer) succeeded(now time.Time) {
	s.st.LastSuccess = now
	s.st.LastError = ""
	s.st.Failures = 0
}

func (s *syncer) failed(ctx workflow.Context, step string, err error, report *SyncReport) {
	s.st.Failures++
	s.st.LastError = step + ": " + rootMessage(err)
	report.Error = s.st.LastError
	s.log.Error("Sync step failed; will retry", "PropertyID", s.propertyID, "Step", step,
		"Failures", s.st.Failures, "Error", s.st.LastError)
}

// rootMessage unwraps Temporal's activity error to the activity's own message.
func rootMessage(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Error()
	}
	var te *temporal.TimeoutError
	if errors.As(err, &te) {
		return "timed out (" + te.TimeoutType().String() + ")"
	}
	return err.Error()
}

func (s *syncer) finish(ctx workflow.Context, report SyncReport) {
	if len(s.st.Next) > 0 {
		t := s.st.Next[0].At
		report.NextTransition = &t
	}
	s.lastReport = report
	s.upsertState(ctx, false)
}

// sleep waits until the next wake-up instant or until a signal or update asks
// for work.
func (s *syncer) sleep(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	if len(s.st.Next) > 0 && !s.st.Next[0].At.After(now) && !s.st.Paused && s.st.Failures == 0 &&
		workflow.GetVersion(ctx, "due-during-apply", workflow.DefaultVersion, 1) == 1 {
		// A transition fell due while the cycle ran (a long apply, such
		// as an audit): keep it, and run the next cycle at once to apply
		// it. (A failing or paused property drops it below: its next
		// successful apply brings Brivo to the state due then.)
		s.nextWake = now
		return ctx.Err()
	}
	s.st.dropPast(now)
	wake := s.st.LastFetch.Add(s.settings.PollInterval)
	if s.st.Failures > 0 {
		backoff := time.Duration(1<<min(s.st.Failures, 8)) * 5 * time.Second
		wake = now.Add(min(backoff, failureBackoffMax, s.settings.PollInterval))
	}
	if audit := s.st.LastAudit.Add(s.settings.AuditInterval); audit.Before(wake) && !s.st.Paused {
		wake = audit
	}
	if len(s.st.Next) > 0 && s.st.Next[0].At.Before(wake) && !s.st.Paused {
		wake = s.st.Next[0].At
	}
	s.nextWake = wake
	d := wake.Sub(now)
	if d <= 0 {
		return ctx.Err()
	}
	if d < time.Second && !s.st.Paused && s.runEarly(ctx, wake) {
		// A timer shorter than a second fires after a whole second (the
		// timer resolution). Run the cycle now, for the wake's instant:
		// the apply waits until that instant before it writes.
		s.cycleAt = wake
		return ctx.Err()
	}
	_, err := workflow.AwaitWithTimeout(ctx, d, func() bool {
		return s.st.SyncRequested || s.sa != s.st.state() // a request, or pause/resume to show
	})
	return err
}

// runEarly says whether a wake less than a second away is run at once
// rather than left to a timer. A transition's always is. So is an audit's
// or a poll's (version "subsecond-wake"): its timer would fire up to a
// second late, and a transition due within that second would wait for it
// and then for the start of the cycle.
func (s *syncer) runEarly(ctx workflow.Context, wake time.Time) bool {
	if len(s.st.Next) > 0 && s.st.Next[0].At.Equal(wake) {
		return workflow.GetVersion(ctx, "subsecond-transition", workflow.DefaultVersion, 1) == 1
	}
	return workflow.GetVersion(ctx, "subsecond-wake", workflow.DefaultVersion, 1) == 1
}

func (s *syncer) upsertState(ctx workflow.Context, first bool) {
	st := s.st.state()
	if st == s.sa && !first {
		return
	}
	s.sa = st
	upd := []temporal.SearchAttributeUpdate{SearchAttrSyncState.ValueSet(st)}
	if first {
		upd = append(upd, SearchAttrPropertyID.ValueSet(s.propertyID))
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, upd...); err != nil {
		s.log.Warn("Cannot set search attributes (are EntrataPropertyId and SyncState registered?)", "Error", err)
	}
}

func (s *syncer) continueAsNew(ctx workflow.Context) error {
	// Serve every request that arrived, let every handler finish, and only
	// then hand the state over: nothing is lost at the boundary.
	for {
		s.drainSignals()
		if s.st.SyncRequested {
			s.cycle(ctx)
			continue
		}
		_ = workflow.Await(ctx, func() bool {
			return workflow.AllHandlersFinished(ctx) || s.st.SyncRequested
		})
		s.drainSignals()
		if !s.st.SyncRequested && workflow.AllHandlersFinished(ctx) {
			break
		}
	}
	s.st.Runs++
	s.log.Info("Continuing as new", "PropertyID", s.propertyID, "Run", s.st.Runs)
	carried := s.st
	return workflow.NewContinueAsNewError(ctx, PropertySync, PropertySyncInput{PropertyID: s.propertyID, Carried: &carried})
}
