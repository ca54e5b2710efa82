package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/entrata-brivo/entrata-brivo/activities"
)

// Recovery: what PropertySync does when an activity fails, when the plan is
// lost with its worker, and when another worker takes over.

func broken(what string) error {
	// Non-retryable, so the failure reaches the workflow at once instead of
	// being retried inside the activity's own retry policy.
	return temporal.NewNonRetryableApplicationError(what+" is down", "TestOutage", nil)
}

func planNotCached() error {
	return temporal.NewNonRetryableApplicationError("plan not here", activities.ErrTypePlanNotCached, nil)
}

func noPoller() error {
	return temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START, nil)
}

// A lost plan (answered by the worker, or no worker polling its queue) is
// fetched again on a live worker, in full, and applied there at once, with
// no applied token: nothing fails and nothing waits for a backoff.
func TestLostPlanIsFetchedAgainAndApplied(t *testing.T) {
	for name, lost := range map[string]func() error{"plan not cached": planNotCached, "schedule-to-start timeout": noPoller} {
		t.Run(name, func(t *testing.T) {
			env, f := newEnv(t, time.Hour, 24*time.Hour)
			f.queues = []string{"wq-old", "wq-new"}
			f.applyErr = func(n int, _ activities.ApplyInput) error {
				if n == 0 {
					return lost()
				}
				return nil
			}
			var st Status
			env.RegisterDelayedCallback(func() { st = query[Status](t, env, QueryStatus) }, time.Minute)
			run(env, 30*time.Minute)

			if len(f.fetches) != 2 || !f.fetches[1].Equal(start) || f.fetchIns[1].KnownFingerprint != "" {
				t.Fatalf("fetches %v (inputs %+v), want a second, full fetch at once", f.fetches, f.fetchIns)
			}
			if len(f.applies) != 2 || !f.applyTimes[1].Equal(start) {
				t.Fatalf("applies at %v, want a second apply at once", f.applyTimes)
			}
			if f.applyQueues[0] != "wq-old" || f.applyQueues[1] != "wq-new" || f.applies[1].AppliedToken != "" {
				t.Fatalf("applies on %v with token %q, want the retry on wq-new with no token",
					f.applyQueues, f.applies[1].AppliedToken)
			}
			if st.State != StateOK || st.LastError != "" {
				t.Fatalf("status after recovery %+v, want ok", st)
			}
		})
	}
}

// When a poll finds Entrata changed and the new plan on another worker,
// what that worker believes of Brivo is unknown: the next apply runs at
// once with no token, so the new worker reads Brivo.
func TestNewWorkerQueueDropsTheAppliedToken(t *testing.T) {
	env, f := newEnv(t, time.Hour, 24*time.Hour)
	f.queues = []string{"wq-1", "wq-1", "wq-2"}
	env.RegisterDelayedCallback(func() {
		f.mu.Lock()
		f.fingerprint = "fp-changed"
		f.mu.Unlock()
	}, 110*time.Minute)
	run(env, 150*time.Minute)
	if len(f.fetches) != 3 {
		t.Fatalf("fetches at %v, want three polls", f.fetches)
	}
	if !appliedAt(f, start.Add(2*time.Hour)) {
		t.Fatalf("no apply when the queue changed at +2h; applies at %v", f.applyTimes)
	}
	last := f.applies[len(f.applies)-1]
	if last.AppliedToken != "" || f.applyQueues[len(f.applyQueues)-1] != "wq-2" {
		t.Fatalf("apply after the queue change: token %q on %s, want no token on wq-2",
			last.AppliedToken, f.applyQueues[len(f.applyQueues)-1])
	}
	if appliedAt(f, start.Add(time.Hour)) {
		t.Fatalf("applied at +1h although nothing changed; applies at %v", f.applyTimes)
	}
}

// When a poll is answered by another worker but Entrata has not changed,
// the worker that applied last holds the same plan: applies stay there,
// with its token, and nothing reads the whole property again.
func TestUnchangedPlanStaysWithTheWorkerThatHoldsIt(t *testing.T) {
	env, f := newEnv(t, time.Hour, 24*time.Hour)
	f.queues = []string{"wq-1", "wq-2", "wq-3"}
	f.transitions = []time.Time{start.Add(150 * time.Minute)}
	run(env, 160*time.Minute)
	if len(f.fetches) != 3 {
		t.Fatalf("fetches at %v, want three polls", f.fetches)
	}
	if appliedAt(f, start.Add(time.Hour)) || appliedAt(f, start.Add(2*time.Hour)) {
		t.Fatalf("applied at a poll although Entrata had not changed; applies at %v", f.applyTimes)
	}
	if !appliedAt(f, start.Add(150*time.Minute)) {
		t.Fatalf("the transition at +150m was not applied; applies at %v", f.applyTimes)
	}
	last := f.applies[len(f.applies)-1]
	if q := f.applyQueues[len(f.applyQueues)-1]; q != "wq-1" || last.AppliedToken != "tok" {
		t.Fatalf("transition applied on %s with token %q, want wq-1 (the holder) with its token", q, last.AppliedToken)
	}
}

// A failing step is retried with an exponential backoff (10 s, 20 s, ...),
// not at once and not at the next poll; status says failing meanwhile.
func TestFailureBacksOffAndStatusSaysFailing(t *testing.T) {
	env, f := newEnv(t, time.Hour, 24*time.Hour)
	f.fetchErr = func(n int, _ time.Time) error {
		if n == 1 || n == 2 {
			return broken("Entrata")
		}
		return nil
	}
	var during, after Status
	env.RegisterDelayedCallback(func() { during = query[Status](t, env, QueryStatus) }, time.Hour+15*time.Second)
	env.RegisterDelayedCallback(func() { after = query[Status](t, env, QueryStatus) }, time.Hour+time.Minute)
	run(env, 90*time.Minute)

	wantFetches(t, f, start, start.Add(time.Hour), start.Add(time.Hour+10*time.Second), start.Add(time.Hour+30*time.Second))
	if during.State != StateFailing || !strings.Contains(during.LastError, "fetch") {
		t.Fatalf("status while failing %+v", during)
	}
	if after.State != StateOK || after.LastError != "" {
		t.Fatalf("status after recovery %+v", after)
	}
}

// A failed apply at a transition is applied again after the backoff, though
// no poll, transition or audit is due then.
func TestFailedApplyIsRetriedAfterTheBackoff(t *testing.T) {
	env, f := newEnv(t, 24*time.Hour, 24*time.Hour)
	f.transitions = []time.Time{start.Add(2 * time.Hour)}
	f.applyErr = func(n int, in activities.ApplyInput) error {
		if n == 1 {
			return broken("Brivo")
		}
		return nil
	}
	run(env, 3*time.Hour)
	if len(f.applies) != 3 || !f.applyTimes[1].Equal(start.Add(2*time.Hour)) ||
		!f.applyTimes[2].Equal(start.Add(2*time.Hour+10*time.Second)) {
		t.Fatalf("applies at %v, want start, +2h (fails) and +2h10s", f.applyTimes)
	}
}

// A transition that falls due at the same instant as a poll whose fetch
// fails is applied at its instant, from the plan the worker holds, before
// the fetch: Entrata failing does not delay a move-in.
func TestTransitionDueAtAFailedPollIsAppliedFirst(t *testing.T) {
	env, f := newEnv(t, 2*time.Hour, 24*time.Hour)
	f.transitions = []time.Time{start.Add(2 * time.Hour)} // the same instant as the second poll
	f.fetchErr = func(n int, _ time.Time) error {
		if n == 1 {
			return broken("Entrata")
		}
		return nil
	}
	run(env, 3*time.Hour)
	if !appliedAt(f, start.Add(2*time.Hour)) {
		t.Fatalf("the move-in at +2h was not applied at its instant; applies at %v", f.applyTimes)
	}
	// The poll follows the transition at once, then backs off.
	wantFetches(t, f, start, start.Add(2*time.Hour), start.Add(2*time.Hour+10*time.Second))
}

// An apply between polls, or ahead of a due poll, goes to the holder nobody
// has seen since the last poll. After an outage or a rolling restart that
// worker is gone: its queue must be given up in seconds, then the plan is
// fetched on a live worker and applied there at once. An apply right after
// a poll, to a holder just seen, keeps the long bound.
func TestAnUncheckedHolderIsGivenUpFast(t *testing.T) {
	env, f := newEnv(t, 2*time.Hour, 24*time.Hour)
	f.queues = []string{"wq-old", "wq-new"}
	// +1h: between polls; +2h: the same instant as the second poll.
	f.transitions = []time.Time{start.Add(time.Hour), start.Add(2 * time.Hour)}
	f.applyErr = func(n int, _ activities.ApplyInput) error {
		if n == 2 {
			return noPoller() // wq-old's worker did not come back
		}
		return nil
	}
	run(env, 3*time.Hour)
	want := []struct {
		at          time.Duration
		queue       string
		startWithin time.Duration
	}{
		{0, "wq-old", applyStartWithin},                         // the first sync, after its fetch
		{time.Hour, "wq-old", unconfirmedHolderStartWithin},     // between polls
		{2 * time.Hour, "wq-old", unconfirmedHolderStartWithin}, // ahead of the poll: nobody there
		{2 * time.Hour, "wq-new", applyStartWithin},             // fetched again on a live worker
	}
	if len(f.applies) < len(want) {
		t.Fatalf("applies at %v on %v, want %d", f.applyTimes, f.applyQueues, len(want))
	}
	for i, w := range want {
		if !f.applyTimes[i].Equal(start.Add(w.at)) || f.applyQueues[i] != w.queue || f.applyStartWithin[i] != w.startWithin {
			t.Fatalf("apply %d at %v on %s with %s to start, want +%s on %s with %s (all: %v on %v, %v)", i,
				f.applyTimes[i].Sub(start), f.applyQueues[i], f.applyStartWithin[i], w.at, w.queue, w.startWithin,
				f.applyTimes, f.applyQueues, f.applyStartWithin)
		}
	}
	if f.applies[3].AppliedToken != "" {
		t.Fatal("the live worker applied with the dead holder's token; it must read Brivo afresh")
	}
	if applyStartWithin <= unconfirmedHolderStartWithin {
		t.Fatalf("a holder just seen alive gets %s, no more than an unchecked one's %s", applyStartWithin, unconfirmedHolderStartWithin)
	}
}

// A transition that falls due while Entrata keeps failing is applied at its
// instant, and the failing poll keeps its status and its backoff.
func TestTransitionDueWhileEntrataFailsKeepsTheFailure(t *testing.T) {
	env, f := newEnv(t, 2*time.Hour, 24*time.Hour)
	f.transitions = []time.Time{start.Add(2*time.Hour + 5*time.Second)}
	f.fetchErr = func(n int, _ time.Time) error {
		if n >= 1 && n <= 3 {
			return broken("Entrata")
		}
		return nil
	}
	var after Status
	env.RegisterDelayedCallback(func() { after = query[Status](t, env, QueryStatus) }, 2*time.Hour+6*time.Second)
	run(env, 3*time.Hour)
	if !appliedAt(f, start.Add(2*time.Hour+5*time.Second)) {
		t.Fatalf("the move-in at +2h05s was not applied at its instant; applies at %v", f.applyTimes)
	}
	// Fetches: start; +2h (fails); +2h15s, 10 s after the transition's
	// apply, as the first failure's backoff (fails); +2h35s after 20 s
	// (fails); +2h1m15s after 40 s (works).
	wantFetches(t, f, start, start.Add(2*time.Hour), start.Add(2*time.Hour+15*time.Second),
		start.Add(2*time.Hour+35*time.Second), start.Add(2*time.Hour+75*time.Second))
	if after.State != StateFailing || !strings.Contains(after.LastError, "fetch") {
		t.Fatalf("status just after the transition %+v: the failing fetch must still show", after)
	}
}

// An apply that fell due while paused stays pending: if the reconcile on
// resume fails, the retry after the backoff still applies.
func TestApplyDueWhilePausedStaysPending(t *testing.T) {
	env, f := newEnv(t, time.Hour, 24*time.Hour)
	f.transitions = []time.Time{start.Add(90 * time.Minute)}
	resumed := start.Add(150 * time.Minute)
	f.fetchErr = func(_ int, now time.Time) error {
		if now.Equal(resumed) {
			return broken("Entrata")
		}
		return nil
	}
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalPause, nil) }, 30*time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalResume, nil) }, 150*time.Minute)
	run(env, 170*time.Minute)
	for _, at := range f.applyTimes[1:] {
		if at.Before(resumed) {
			t.Fatalf("applied at %s while paused", at)
		}
	}
	if !appliedAt(f, resumed.Add(10*time.Second)) {
		t.Fatalf("the apply that fell due while paused was lost; applies at %v, fetches at %v", f.applyTimes, f.fetches)
	}
}

func TestRecoveryTestErrorsAreWhatTheWorkflowExpects(t *testing.T) {
	var te *temporal.TimeoutError
	if !planLost(noPoller()) || !planLost(planNotCached()) || planLost(broken("x")) || !errors.As(noPoller(), &te) {
		t.Fatal("planLost does not classify the test's errors as the real ones")
	}
}

// When nobody polls the holder's queue any more (all workers replaced), an
// unchanged plan moves to the worker that answered the poll at once, rather
// than wait for a schedule-to-start timeout on a dead queue.
func TestUnchangedPlanLeavesADeadHolder(t *testing.T) {
	env, f := newEnv(t, time.Hour, 24*time.Hour)
	f.queues = []string{"wq-1", "wq-2", "wq-2"}
	f.deadHolder = true
	f.transitions = []time.Time{start.Add(90 * time.Minute)}
	run(env, 100*time.Minute)
	if !appliedAt(f, start.Add(90*time.Minute)) {
		t.Fatalf("the transition at +90m was not applied; applies at %v", f.applyTimes)
	}
	if q := f.applyQueues[len(f.applyQueues)-1]; q != "wq-2" {
		t.Fatalf("transition applied on %s, want wq-2 (the live worker)", q)
	}
}

// wantFetches fails the test unless the fetches ran at exactly these instants.
func wantFetches(t *testing.T, f *fakeProperty, want ...time.Time) {
	t.Helper()
	if len(f.fetches) != len(want) {
		t.Fatalf("fetches at %v, want %v", f.fetches, want)
	}
	for i := range want {
		if !f.fetches[i].Equal(want[i]) {
			t.Fatalf("fetches at %v, want %v", f.fetches, want)
		}
	}
}
