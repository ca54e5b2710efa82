package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/entrata-brivo/entrata-brivo/workflows"
)

// The Brivo budget (BRIVO_REQUESTS_PER_SECOND) is the account's, shared by
// every worker. Each worker leases its rate from the BrivoBudget workflow
// (workflows/brivo_budget.go), which lends an idle worker's share to the
// busy ones and never lets the leases add up to more than the budget. This
// worker makes no Brivo call before its first lease, and none after its
// lease has lapsed unrenewed (Temporal unreachable): the budget is only
// ever spent under a lease.
const (
	// leaseWatch is how often the leaser looks at the client's load
	// between renewals, to renew early when calls start waiting (a
	// transition at a worker on its floor waits for that renewal).
	leaseWatch = 50 * time.Millisecond
	// leaseRetry is the pause after a failed renewal.
	leaseRetry = 300 * time.Millisecond
	// belowFairRenew is the pace of renewals while the grant is below the
	// fair share: the share the others give up comes free at their next
	// renewals, and a transition's calls wait for it.
	belowFairRenew = 100 * time.Millisecond
	// saturated: a worker that used this share of its rate over the last
	// period wants more than it has.
	saturated = 0.8
	// demandMargin scales a worker's measured use into the demand it
	// states, so a growing load is seen at the next renewal.
	demandMargin = 1.5
	// busyRenew is the renewal pace of a worker that wants more than it
	// has: it takes a share another worker gives up within this long.
	busyRenew = 700 * time.Millisecond
	// quietAfter: a worker holding a busy lease that has made no call for
	// this long renews at once, to give its share back.
	quietAfter = 400 * time.Millisecond
	// overShareRenew is the renewal pace of a busy worker holding more
	// than its share of a contested budget (the others idle): when another
	// worker's calls start waiting (a transition at an idle worker), the
	// share it needs comes free within this long.
	overShareRenew = 250 * time.Millisecond
	// foresightLead is how long before a transition's instant this worker
	// asks for the rate its calls need (activities foresee them): the
	// others give their share up at their next renewals (within
	// busyRenew), and it comes free CutSettle later.
	foresightLead = 2500 * time.Millisecond
	// foreseenSpan: foreseen calls are asked for at the rate that makes
	// them all within this long.
	foreseenSpan = 500 * time.Millisecond
)

// leaseClient is the part of the Temporal client the leaser needs.
type leaseClient interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow interface{}, args ...interface{}) (client.WorkflowRun, error)
	UpdateWorkflow(ctx context.Context, options client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error)
}

// rateClient is the part of the Brivo client the leaser drives.
type rateClient interface {
	SetRateLimit(perSecond float64)
	SetUrgentReserve(perSecond float64)
	Load() (served uint64, waiting int)
	Foreseen(now time.Time, within time.Duration) int
}

// brivoLeaser keeps this worker's Brivo rate at its lease.
type brivoLeaser struct {
	tc       leaseClient
	queue    string
	self     string
	budget   float64
	brivo    rateClient
	logger   *slog.Logger
	now      func() time.Time
	onChange func(workers int, perSecond float64)

	lease     workflows.Lease
	wanted    float64   // the demand stated at the last renewal
	lastCall  time.Time // when a call was last seen going or waiting (tick)
	lastSeen  uint64    // the calls served at the last tick
	due       time.Time // when the next renewal is due (tick)
	expires   time.Time // local: the renewal's send time + TTL
	last      time.Time // when the last renewal was sent
	lastSrv   uint64
	failures  int
	started   bool
	lastLogAt time.Time
}

// demand states the calls per second this worker wants: what it used since
// the last renewal (as many as it can get, -1, when calls wait or it used
// nearly all of its rate), and at least the rate the urgent calls foreseen
// shortly need.
func (l *brivoLeaser) demand(now time.Time) float64 {
	d := l.used(now)
	if d < 0 {
		return d
	}
	return max(d, l.foreseen(now))
}

// foreseen is the rate the urgent calls foreseen within foresightLead need.
func (l *brivoLeaser) foreseen(now time.Time) float64 {
	return float64(l.brivo.Foreseen(now, foresightLead)) / foreseenSpan.Seconds()
}

// used is the demand measured from the calls since the last renewal.
func (l *brivoLeaser) used(now time.Time) float64 {
	served, waiting := l.brivo.Load()
	used := served - l.lastSrv
	l.lastSrv = served
	elapsed := now.Sub(l.last).Seconds()
	if l.last.IsZero() || elapsed <= 0 {
		elapsed = 1
	}
	rate := float64(used) / elapsed
	if waiting == 0 && !l.lastCall.IsZero() && now.Sub(l.lastCall) >= quietAfter {
		return 0 // gone quiet: the floor will do
	}
	if waiting > 0 || (l.lease.PerSecond > 0 && rate >= saturated*l.lease.PerSecond) {
		return -1
	}
	return rate * demandMargin
}

// start makes sure the BrivoBudget workflow runs (one per namespace and
// task queue; a running one is kept).
func (l *brivoLeaser) start(ctx context.Context) error {
	_, err := l.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.BrivoBudgetWorkflowID,
		TaskQueue:                l.queue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, workflows.BrivoBudgetWorkflowType, workflows.BudgetState{})
	return err
}

// renew sends one lease request and applies the answer.
func (l *brivoLeaser) renew(ctx context.Context, release bool) error {
	now := l.now()
	req := workflows.LeaseRequest{Worker: l.self, Budget: l.budget, Demand: l.demand(now), Release: release}
	l.last, l.wanted = now, req.Demand
	if release && !l.started {
		return nil // nothing leased: nothing to give back
	}
	if !l.started {
		if err := l.start(ctx); err != nil {
			return err
		}
		l.started = true
	}
	// A renewal that outlasts the lease gives up when it lapses, so the
	// rate goes to 0 in time (see failed).
	timeout := 10 * time.Second
	if !l.expires.IsZero() && l.lease.PerSecond > 0 {
		timeout = max(time.Second, l.expires.Sub(now))
	}
	uctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	h, err := l.tc.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.BrivoBudgetWorkflowID, UpdateName: workflows.UpdateBrivoLease,
		Args: []interface{}{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var lease workflows.Lease
	if err == nil {
		err = h.Get(uctx, &lease)
	}
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			l.started = false // deleted or terminated: start it again
		}
		return err
	}
	if release {
		return nil
	}
	changed := lease.Workers != l.lease.Workers || lease.PerSecond != l.lease.PerSecond
	l.lease, l.expires = lease, now.Add(lease.TTL)
	l.brivo.SetRateLimit(lease.PerSecond)
	l.brivo.SetUrgentReserve(lease.Urgent)
	if changed && l.onChange != nil {
		l.onChange(lease.Workers, lease.PerSecond)
	}
	return nil
}

// next is when the lease should be renewed: at a third of its TTL; sooner
// while the worker wants more than it has (soonest while the grant is below
// its fair share), to take what others give up.
func (l *brivoLeaser) next() time.Time {
	contested := workflows.BrivoHeadroom * l.budget / float64(max(1, l.lease.Workers))
	switch {
	case l.lease.PerSecond < 0.99*l.lease.Fair:
		return l.last.Add(belowFairRenew)
	case l.wanted < 0 && l.lease.Workers > 1 && l.lease.PerSecond > contested:
		return l.last.Add(overShareRenew)
	case l.wanted < 0:
		return l.last.Add(min(busyRenew, l.lease.TTL/3))
	}
	return l.last.Add(l.lease.TTL / 3)
}

// run leases and renews until ctx ends, then releases the lease.
func (l *brivoLeaser) run(ctx context.Context) {
	l.brivo.SetRateLimit(0)
	t := time.NewTicker(leaseWatch)
	defer t.Stop()
	l.due, l.lastCall = l.now(), l.now()
	for {
		l.tick(ctx)
		if ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-t.C:
			continue
		}
		break
	}
	l.brivo.SetRateLimit(0)
	rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.renew(rctx, true); err != nil {
		l.logger.Warn("brivo budget: could not release this worker's lease; it lapses by itself", "error", err)
	}
}

// tick looks at the client's load (every leaseWatch) and renews the lease
// when it is due, or at once when the demand has changed.
func (l *brivoLeaser) tick(ctx context.Context) {
	now := l.now()
	served, waiting := l.brivo.Load()
	if served != l.lastSeen || waiting > 0 {
		l.lastSeen, l.lastCall = served, now
	}
	// The demand has changed: calls wait on a floor lease, a transition's
	// calls are foreseen shortly, or a busy lease has gone quiet.
	early := (waiting > 0 && l.lease.TTL == workflows.IdleLeaseTTL) ||
		(l.wanted >= 0 && l.foreseen(now) > l.wanted) ||
		(l.lease.TTL == workflows.BusyLeaseTTL && now.Sub(l.lastCall) >= quietAfter && l.last.Before(l.lastCall))
	if now.Before(l.due) && !early {
		return
	}
	if err := l.renew(ctx, false); err != nil {
		if ctx.Err() != nil {
			return
		}
		l.failed(err)
		l.due = l.now().Add(leaseRetry)
		return
	}
	l.failures = 0
	l.due = l.next()
}

// failed handles a failed renewal: the lease runs on until it lapses, then
// no Brivo call goes until a renewal succeeds.
func (l *brivoLeaser) failed(err error) {
	l.failures++
	now := l.now()
	if !l.expires.IsZero() && !now.Before(l.expires) && l.lease.PerSecond > 0 {
		l.lease.PerSecond = 0
		l.brivo.SetRateLimit(0)
		l.logger.Error("brivo budget: lease lapsed; Brivo calls wait until it is renewed", "error", err)
		l.lastLogAt = now
		return
	}
	if l.failures == 1 || now.Sub(l.lastLogAt) >= 30*time.Second {
		l.logger.Warn("brivo budget: cannot renew this worker's lease of the Brivo budget",
			"workflowId", workflows.BrivoBudgetWorkflowID, "failures", l.failures, "error", err)
		l.lastLogAt = now
	}
}
