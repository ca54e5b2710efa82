package workflows

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func sumHeld(st BudgetState, now time.Time) float64 {
	s := 0.0
	for _, l := range st.Leases {
		s += l.inUse(now)
	}
	return s
}

// A lone busy worker gets the whole budget (less the headroom); a second
// one that turns busy gets nothing the first still holds, and both reach
// half once the first has renewed and its cut has settled (until then the
// first may not have heard of it). The rates in use never add up to more
// than the budget.
func TestBrivoBudgetLendsAndNeverOversubscribes(t *testing.T) {
	const budget = 200.0
	total := BrivoHeadroom * budget
	var st BudgetState
	now := t0
	check := func(what string) {
		t.Helper()
		if s := sumHeld(st, now); s > total+1e-9 {
			t.Fatalf("%s: leases add up to %.2f/s, above %.2f/s", what, s, total)
		}
	}
	a := st.LeaseAt(now, LeaseRequest{Worker: "a", Budget: budget, Demand: -1})
	if !near(a.PerSecond, total) || a.TTL != BusyLeaseTTL || a.Workers != 1 {
		t.Fatalf("lone busy worker: %+v, want %.0f/s for %s", a, total, BusyLeaseTTL)
	}
	check("a alone")
	b := st.LeaseAt(now.Add(100*time.Millisecond), LeaseRequest{Worker: "b", Budget: budget, Demand: -1})
	now = now.Add(100 * time.Millisecond)
	if b.PerSecond != 0 || !near(b.Fair, total/2) {
		t.Fatalf("b while a holds everything: %+v, want 0 now and a fair %.0f", b, total/2)
	}
	check("b joins")
	now = now.Add(time.Second)
	a = st.LeaseAt(now, LeaseRequest{Worker: "a", Budget: budget, Demand: -1})
	check("a renews")
	if !near(a.PerSecond, total/2) {
		t.Fatalf("a after b's demand: %+v, want %.0f", a, total/2)
	}
	now = now.Add(CutSettle / 2)
	b = st.LeaseAt(now, LeaseRequest{Worker: "b", Budget: budget, Demand: -1})
	check("b renews before a's cut settled")
	if b.PerSecond != 0 {
		t.Fatalf("b while a may still spend its old lease: %+v, want 0", b)
	}
	now = now.Add(CutSettle / 2) // a has had its answer
	b = st.LeaseAt(now, LeaseRequest{Worker: "b", Budget: budget, Demand: -1})
	check("b renews")
	if !near(b.PerSecond, total/2) {
		t.Fatalf("b after a's cut settled: %+v, want %.0f", b, total/2)
	}
	// b's work ends: it wants 3/s. a gets the rest once b's cut has
	// settled, not at once: b spends its old rate until the answer
	// reaches it.
	now = now.Add(time.Second)
	a = st.LeaseAt(now, LeaseRequest{Worker: "a", Budget: budget, Demand: -1})
	b = st.LeaseAt(now, LeaseRequest{Worker: "b", Budget: budget, Demand: 3})
	floor := total / (floorDivisor * 2)
	if !near(b.PerSecond, floor) || b.TTL != IdleLeaseTTL {
		t.Fatalf("idle b: %+v, want the floor %.1f for %s", b, floor, IdleLeaseTTL)
	}
	a = st.LeaseAt(now.Add(10*time.Millisecond), LeaseRequest{Worker: "a", Budget: budget, Demand: -1})
	if !near(a.PerSecond, total/2) {
		t.Fatalf("a just after b's cut: %+v, want %.1f", a, total/2)
	}
	check("b cut")
	now = now.Add(CutSettle)
	a = st.LeaseAt(now, LeaseRequest{Worker: "a", Budget: budget, Demand: -1})
	if !near(a.PerSecond, total-floor) {
		t.Fatalf("a with b idle: %+v, want %.1f", a, total-floor)
	}
	check("b idle")
}

// A worker that dies stops renewing: once its lease lapses the others take
// its share; a worker that stops cleanly gives its share back at once.
func TestBrivoBudgetLapsedAndReleasedLeases(t *testing.T) {
	const budget = 90.0
	total := BrivoHeadroom * budget
	var st BudgetState
	now := t0
	for _, w := range []string{"a", "b", "c"} {
		st.LeaseAt(now, LeaseRequest{Worker: w, Budget: budget, Demand: -1})
	}
	for _, w := range []string{"a", "b", "c"} {
		now = now.Add(100 * time.Millisecond)
		st.LeaseAt(now, LeaseRequest{Worker: w, Budget: budget, Demand: -1})
	}
	// a's cut from the whole budget to a third has settled: b and c take
	// their thirds.
	now = now.Add(CutSettle)
	for _, w := range []string{"a", "b", "c"} {
		now = now.Add(100 * time.Millisecond)
		if l := st.LeaseAt(now, LeaseRequest{Worker: w, Budget: budget, Demand: -1}); !near(l.PerSecond, total/3) {
			t.Fatalf("%s after the cut settled: %+v, want %.1f", w, l, total/3)
		}
	}
	if s := sumHeld(st, now); !near(s, total) {
		t.Fatalf("three busy workers hold %.2f, want %.2f", s, total)
	}
	// c dies (no more renewals); a and b renew every second. Until c's
	// lease lapses, neither may take c's share; two renewals after, they
	// hold half each.
	cExpires := now.Add(BusyLeaseTTL - 300*time.Millisecond)
	var a, b Lease
	for range 7 {
		now = now.Add(time.Second)
		a = st.LeaseAt(now, LeaseRequest{Worker: "a", Budget: budget, Demand: -1})
		b = st.LeaseAt(now.Add(50*time.Millisecond), LeaseRequest{Worker: "b", Budget: budget, Demand: -1})
		if now.Before(cExpires) && (a.PerSecond > total/3+1e-9 || b.PerSecond > total/3+1e-9) {
			t.Fatalf("a or b took c's unexpired share: %+v %+v", a, b)
		}
		if s := sumHeld(st, now.Add(50*time.Millisecond)); s > total+1e-9 {
			t.Fatalf("leases add up to %.2f, above %.2f", s, total)
		}
	}
	if !near(a.PerSecond, total/2) || !near(b.PerSecond, total/2) || a.Workers != 2 {
		t.Fatalf("after c lapsed: a %+v b %+v, want %.1f each of 2 workers", a, b, total/2)
	}
	// b stops and releases: a takes everything at its next renewal.
	if r := st.LeaseAt(now, LeaseRequest{Worker: "b", Release: true}); r.Workers != 1 {
		t.Fatalf("release answered %+v", r)
	}
	a = st.LeaseAt(now, LeaseRequest{Worker: "a", Budget: budget, Demand: -1})
	if !near(a.PerSecond, total) {
		t.Fatalf("a after b released: %+v, want %.1f", a, total)
	}
}

// Max-min fairness: small demands are met (never under the floor), the
// rest is shared; during a rolling change of the setting the smallest
// budget is divided.
func TestBrivoBudgetFairShares(t *testing.T) {
	leases := []HeldLease{{Demand: 5}, {Demand: -1}, {Demand: 1000}, {Demand: 0}}
	got := fairShares(100, 2, leases)
	want := []float64{5, 46.5, 46.5, 2}
	for i := range want {
		if !near(got[i], want[i]) {
			t.Fatalf("fairShares = %v, want %v", got, want)
		}
	}
	var st BudgetState
	st.LeaseAt(t0, LeaseRequest{Worker: "old", Budget: 100, Demand: 1})
	l := st.LeaseAt(t0, LeaseRequest{Worker: "new", Budget: 50, Demand: -1})
	floor := BrivoHeadroom * 50 / (floorDivisor * 2)
	if !near(l.Fair, BrivoHeadroom*50-floor) {
		t.Fatalf("mixed budgets: %+v, want the smaller budget divided", l)
	}
	if err := validateLease(LeaseRequest{Worker: " "}); err == nil {
		t.Error("an empty worker was accepted")
	}
	if err := validateLease(LeaseRequest{Worker: "w", Budget: 0}); err == nil {
		t.Error("a zero budget was accepted")
	}
	if err := validateLease(LeaseRequest{Worker: "w", Release: true}); err != nil {
		t.Errorf("a release was refused: %v", err)
	}
}

// The workflow answers lease updates, shows the leases in its query, and
// continues as new with them after leasesPerRun updates.
func TestBrivoBudgetWorkflowContinuesAsNewWithItsLeases(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(BrivoBudget)
	defer func(n int) { leasesPerRun = n }(leasesPerRun)
	leasesPerRun = 20
	var last Lease
	var rejected error
	for i := range leasesPerRun {
		env.RegisterDelayedCallback(func() {
			w := "a"
			if i%2 == 1 {
				w = "b"
			}
			env.UpdateWorkflow(UpdateBrivoLease, fmt.Sprint("u", i), &testsuite.TestUpdateCallback{
				OnReject:   func(err error) { rejected = err },
				OnAccept:   func() {},
				OnComplete: func(v interface{}, err error) { last, _ = v.(Lease) },
			}, LeaseRequest{Worker: w, Budget: 100, Demand: -1})
		}, time.Duration(i+1)*100*time.Millisecond)
	}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateBrivoLease, "bad", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { rejected = err },
			OnAccept:   func() { t.Error("a lease without a worker was accepted") },
			OnComplete: func(interface{}, error) {},
		}, LeaseRequest{Budget: 100})
	}, 50*time.Millisecond)
	env.ExecuteWorkflow(BrivoBudget, BudgetState{})
	if rejected == nil {
		t.Error("the invalid lease was not rejected")
	}
	err := env.GetWorkflowError()
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", err)
	}
	if !near(last.PerSecond, 45) || last.Workers != 2 {
		t.Fatalf("last lease %+v, want 45/s of 2 workers", last)
	}
	var carried BudgetState
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &carried); err != nil {
		t.Fatal(err)
	}
	if len(carried.Leases) != 2 || carried.Leases[0].Worker != "a" || carried.Leases[1].Worker != "b" {
		t.Fatalf("carried leases %+v", carried.Leases)
	}
}
