package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/entrata-brivo/entrata-brivo/workflows"
)

// fakeBudget answers lease updates with the real BrivoBudget logic on a
// fake clock, as the workflow would, without a server.
type fakeBudget struct {
	st      workflows.BudgetState
	now     *time.Time
	fail    error
	starts  int
	updates int
}

type fakeHandle struct{ lease workflows.Lease }

func (fakeHandle) WorkflowID() string { return workflows.BrivoBudgetWorkflowID }
func (fakeHandle) RunID() string      { return "run" }
func (fakeHandle) UpdateID() string   { return "u" }
func (h fakeHandle) Get(_ context.Context, v any) error {
	*(v.(*workflows.Lease)) = h.lease
	return nil
}

func (f *fakeBudget) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ interface{}, _ ...interface{}) (client.WorkflowRun, error) {
	if o.ID != workflows.BrivoBudgetWorkflowID {
		return nil, errors.New("wrong workflow id " + o.ID)
	}
	f.starts++
	return nil, nil
}

func (f *fakeBudget) UpdateWorkflow(_ context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	f.updates++
	req := o.Args[0].(workflows.LeaseRequest)
	return fakeHandle{lease: f.st.LeaseAt(*f.now, req)}, nil
}

// fakeBrivo is a Brivo client's rate and load.
type fakeBrivo struct {
	rate     float64
	urgent   float64
	served   uint64
	waiting  int
	foreseen map[time.Time]int // urgent calls expected at each instant
}

func (b *fakeBrivo) SetRateLimit(r float64)     { b.rate = r }
func (b *fakeBrivo) SetUrgentReserve(r float64) { b.urgent = r }
func (b *fakeBrivo) Load() (uint64, int)        { return b.served, b.waiting }
func (b *fakeBrivo) work(d time.Duration)       { b.served += uint64(b.rate * d.Seconds()) }
func (b *fakeBrivo) Foreseen(now time.Time, within time.Duration) int {
	n := 0
	for at, calls := range b.foreseen {
		if !at.Before(now) && !at.After(now.Add(within)) {
			n += calls
		}
	}
	return n
}
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
func newLeaser(f *fakeBudget, name string, b *fakeBrivo) *brivoLeaser {
	return &brivoLeaser{tc: f, queue: "q", self: name, budget: 100, brivo: b, logger: quietLogger(),
		now: func() time.Time { return *f.now }}
}

// Two workers lease the budget: the busy one borrows the idle one's share;
// when both are busy they converge on half each; the rates they run at
// never add up to more than the budget.
func TestLeasersShareTheBudgetByDemand(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	f := &fakeBudget{now: &now}
	ba, bb := &fakeBrivo{waiting: 10}, &fakeBrivo{}
	a, b := newLeaser(f, "a", ba), newLeaser(f, "b", bb)
	total := workflows.BrivoHeadroom * 100
	step := func(what string, l *brivoLeaser, br *fakeBrivo) {
		t.Helper()
		now = now.Add(500 * time.Millisecond)
		ba.work(500 * time.Millisecond)
		bb.work(500 * time.Millisecond)
		if err := l.renew(context.Background(), false); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if s := ba.rate + bb.rate; s > total+1e-9 {
			t.Fatalf("%s: workers run at %.2f/s together, above %.2f/s", what, s, total)
		}
		if s := ba.rate + bb.rate + ba.urgent + bb.urgent; s > 100+1e-9 {
			t.Fatalf("%s: leases and urgent reserves add up to %.2f/s, above the budget", what, s)
		}
	}
	for range 3 {
		step("a busy, b idle", a, ba)
		step("a busy, b idle", b, bb)
	}
	floor := total / 20
	if ba.rate < total-floor-1e-9 || bb.rate > floor+1e-9 {
		t.Fatalf("a busy, b idle: a %.2f/s b %.2f/s, want a %.2f and b the floor %.2f", ba.rate, bb.rate, total-floor, floor)
	}
	if b.lease.TTL != workflows.IdleLeaseTTL || a.lease.TTL != workflows.BusyLeaseTTL {
		t.Fatalf("TTLs a %s b %s", a.lease.TTL, b.lease.TTL)
	}
	bb.waiting = 10
	for range 3 {
		step("both busy", b, bb)
		step("both busy", a, ba)
	}
	if ba.rate < total/2-1e-9 || bb.rate < total/2-1e-9 {
		t.Fatalf("both busy: a %.2f/s b %.2f/s, want %.2f each", ba.rate, bb.rate, total/2)
	}
	if want := (100 - total) / 2; ba.urgent != want || bb.urgent != want {
		t.Fatalf("urgent reserves a %.2f/s b %.2f/s, want the headroom halved, %.2f each", ba.urgent, bb.urgent, want)
	}
	if f.starts != 2 {
		t.Fatalf("each leaser should start (or find) the budget workflow once; %d starts", f.starts)
	}
}

// When renewals fail, the worker runs on its lease until it lapses, then
// makes no Brivo call; the workflow is started again if it was gone.
func TestLeaseLapsesWhenRenewalsFail(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	f := &fakeBudget{now: &now}
	br := &fakeBrivo{waiting: 1}
	l := newLeaser(f, "a", br)
	if err := l.renew(context.Background(), false); err != nil || br.rate <= 0 {
		t.Fatalf("first lease: rate %.2f, %v", br.rate, err)
	}
	f.fail = serviceerror.NewNotFound("workflow not found")
	now = now.Add(time.Second)
	err := l.renew(context.Background(), false)
	if err == nil {
		t.Fatal("renewal against a failing server succeeded")
	}
	l.failed(err)
	if br.rate <= 0 {
		t.Fatal("the rate went to 0 before the lease lapsed")
	}
	now = now.Add(workflows.BusyLeaseTTL)
	l.failed(l.renew(context.Background(), false))
	if br.rate != 0 {
		t.Fatalf("lapsed lease still runs at %.2f/s", br.rate)
	}
	f.fail = nil
	if err := l.renew(context.Background(), false); err != nil || br.rate <= 0 {
		t.Fatalf("renewal after recovery: rate %.2f, %v", br.rate, err)
	}
	// Started first, then again before each renewal that follows a NotFound.
	if f.starts != 3 {
		t.Fatalf("after NotFound the workflow should be started again: %d starts, want 3", f.starts)
	}
}

// A busy worker that holds more than its share of a contested budget (the
// others idle) renews fast, so another worker whose calls start waiting (a
// transition at an idle worker) gets its share within a fraction of a
// second; at or under its share it renews at the busy pace.
func TestOverShareLeaseRenewsFast(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	l := newLeaser(&fakeBudget{now: &now}, "a", &fakeBrivo{})
	l.last, l.wanted = now, -1
	l.lease = workflows.Lease{Workers: 3, PerSecond: 84, Fair: 84, TTL: workflows.BusyLeaseTTL}
	if got := l.next().Sub(now); got != overShareRenew {
		t.Fatalf("over its share: renews after %s, want %s", got, overShareRenew)
	}
	l.lease.PerSecond, l.lease.Fair = 30, 30
	if got := l.next().Sub(now); got != busyRenew {
		t.Fatalf("at its share: renews after %s, want %s", got, busyRenew)
	}
	l.lease = workflows.Lease{Workers: 1, PerSecond: 90, Fair: 90, TTL: workflows.BusyLeaseTTL}
	if got := l.next().Sub(now); got != busyRenew {
		t.Fatalf("alone: renews after %s, want %s", got, busyRenew)
	}
}

// A worker on its floor whose activities foresee a transition's calls asks
// for their rate shortly before the instant, so the calls find it there
// instead of waiting for the busy worker's cut to settle; it gives the rate
// back after the instant. Both leasers tick every leaseWatch, as run does.
func TestForeseenCallsGetTheirRateBeforeTheInstant(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	f := &fakeBudget{now: &now}
	ba, bb := &fakeBrivo{waiting: 10}, &fakeBrivo{}
	a, b := newLeaser(f, "a", ba), newLeaser(f, "b", bb)
	a.due, b.due, a.lastCall, b.lastCall = now, now, now, now
	total := workflows.BrivoHeadroom * 100
	floor := total / 20
	until := func(end time.Time) {
		t.Helper()
		for now.Before(end) {
			now = now.Add(leaseWatch)
			ba.work(leaseWatch)
			a.tick(context.Background())
			b.tick(context.Background())
			if s := ba.rate + bb.rate; s > total+1e-9 {
				t.Fatalf("at %s: workers run at %.2f/s together, above %.2f/s", now, s, total)
			}
		}
	}
	until(now.Add(5 * time.Second))
	if bb.rate > floor+1e-9 {
		t.Fatalf("idle worker holds %.2f/s, want the floor %.2f/s", bb.rate, floor)
	}
	instant := now.Add(5 * time.Second)
	bb.foreseen = map[time.Time]int{instant: 10}
	until(instant.Add(-foresightLead - leaseWatch))
	if bb.rate > floor+1e-9 {
		t.Fatalf("%s before the instant the worker already holds %.2f/s", foresightLead, bb.rate)
	}
	until(instant)
	if want := 10 / foreseenSpan.Seconds(); bb.rate < want-1e-9 {
		t.Fatalf("at the instant the worker holds %.2f/s for 10 foreseen calls, want %.2f/s", bb.rate, want)
	}
	until(instant.Add(2 * time.Second))
	if bb.rate > floor+1e-9 || ba.rate < total-floor-1e-9 {
		t.Fatalf("after the instant: b holds %.2f/s, a %.2f/s; want the floor %.2f/s back with a", bb.rate, ba.rate, floor)
	}
}
