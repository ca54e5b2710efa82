package brivo

import (
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
)

// Where a call spends its time is told apart: waiting for a slot at a small
// rate is Waited, a slow gateway is InFlight, and a context nested in
// another counts for both.
func TestCallTimesTellWaitingFromFlight(t *testing.T) {
	e := newEnv(t, simOptions(), WithRateLimit(4)) // a slot every 250 ms
	ctx := ctxT(t)
	u := e.mustCreate(t, "entrata-1") // spends the burst
	outer, all := WithCallTimes(ctx)
	inner, one := WithCallTimes(outer)
	if CallTimesOf(inner) != one || CallTimesOf(outer) != all || CallTimesOf(ctx) != nil {
		t.Fatal("CallTimesOf does not return the innermost CallTimes of each context")
	}
	if s := CallTimesOf(ctx).Summary(); s != (CallTimesSummary{}) {
		t.Fatalf("a context without CallTimes summarised as %+v; want zero", s)
	}

	if _, _, err := e.client.Users.Get(inner, u.ID); err != nil {
		t.Fatal(err)
	}
	s := one.Summary()
	if s.Calls != 1 || s.Waited < 150*time.Millisecond || s.InFlight > 100*time.Millisecond {
		t.Fatalf("a call waiting for a slot at 4/s: %+v; want 1 call, waited ≥ 150 ms, in flight < 100 ms", s)
	}
	if s.LongestWait != s.Waited || s.RateThen != 4 {
		t.Fatalf("longest wait %s at %v/s; want %s at 4/s", s.LongestWait, s.RateThen, s.Waited)
	}

	e.sim.SetFault("/v1/api/users", brivosim.Fault{Latency: 300 * time.Millisecond})
	e.client.SetRateLimit(1000)
	time.Sleep(10 * time.Millisecond) // a slot is free at the new rate
	if _, _, err := e.client.Users.Get(outer, u.ID); err != nil {
		t.Fatal(err)
	}
	if s := one.Summary(); s.Calls != 1 {
		t.Fatalf("the inner times counted a call made with the outer context: %+v", s)
	}
	s = all.Summary()
	if s.Calls != 2 || s.InFlight < 300*time.Millisecond {
		t.Fatalf("outer times after a slow call: %+v; want 2 calls, in flight ≥ 300 ms", s)
	}
	if s.LongestWait != one.Summary().LongestWait {
		t.Fatalf("outer longest wait %s; want the first call's %s", s.LongestWait, one.Summary().LongestWait)
	}
}
