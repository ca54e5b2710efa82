package brivo

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Calls waiting together are served most urgent first: transitions, then
// bulk writes, then audit reads.
func TestGateServesTheMostUrgentFirst(t *testing.T) {
	g := newGate(50, 0.5)
	g.hold(time.Now().Add(300 * time.Millisecond))
	var mu sync.Mutex
	var order []Priority
	var wg sync.WaitGroup
	enqueue := func(p Priority, n int) {
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := g.wait(context.Background(), p); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				order = append(order, p)
				mu.Unlock()
			}()
		}
	}
	enqueue(PriorityAudit, 6)
	enqueue(PriorityBulk, 4)
	time.Sleep(50 * time.Millisecond) // the urgent calls arrive last
	enqueue(PriorityUrgent, 3)
	time.Sleep(50 * time.Millisecond)
	wg.Wait()
	want := []Priority{0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("served in order %v; want %v", order, want)
		}
	}
}

// Audit reads alone never use more than their share of the rate: 40 of
// them at 200/s with a 50 % share take at least 40/100 s less one burst.
func TestGateCapsAuditReadsAtTheirShare(t *testing.T) {
	g := newGate(200, 0.5)
	start := time.Now()
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = g.wait(context.Background(), PriorityAudit)
		}()
	}
	wg.Wait()
	if d := time.Since(start); d < 380*time.Millisecond {
		t.Fatalf("40 audit reads took %s; the 50%% share of 200/s allows no less than ~390 ms", d)
	}
}

// A cancelled wait leaves the queue and frees nothing it did not take.
func TestGateCancelledWait(t *testing.T) {
	g := newGate(10, 0.5)
	g.hold(time.Now().Add(200 * time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.wait(ctx, PriorityUrgent); err == nil {
		t.Fatal("a cancelled wait returned nil before its slot")
	}
	if err := g.wait(context.Background(), PriorityBulk); err != nil {
		t.Fatal(err)
	}
}

// A hold shortened while calls wait releases them at the new time.
func TestGateHoldCanBeShortened(t *testing.T) {
	g := newGate(100, 0.5)
	g.hold(time.Now().Add(time.Minute))
	done := make(chan struct{})
	go func() { _ = g.wait(context.Background(), PriorityUrgent); close(done) }()
	time.Sleep(50 * time.Millisecond)
	g.hold(time.Now())
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the call still waits for the first, longer hold")
	}
}

// A rate of 0 (no lease of the shared budget) holds every call; Load shows
// it waiting, and it goes once a rate is set.
func TestGateRateZeroHoldsUntilARateIsSet(t *testing.T) {
	g := newGate(0, 0.5)
	done := make(chan struct{})
	go func() { _ = g.wait(context.Background(), PriorityUrgent); close(done) }()
	time.Sleep(100 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("a call went without a rate")
	default:
	}
	if served, waiting := g.load(); served != 0 || waiting != 1 {
		t.Fatalf("load = %d served, %d waiting; want 0, 1", served, waiting)
	}
	g.setRate(50)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the call still waits after a rate was set")
	}
	if served, waiting := g.load(); served != 1 || waiting != 0 {
		t.Fatalf("load = %d served, %d waiting; want 1, 0", served, waiting)
	}
}

// Urgent calls may spend the urgent reserve on top of the rate; other calls
// may not. At 4/s with a reserve of 4/s, 12 urgent calls go at about 8/s
// (1.4 s) and 12 bulk calls at 4/s (2.75 s at least).
func TestGateUrgentCallsSpendTheReserve(t *testing.T) {
	took := func(p Priority) time.Duration {
		g := newGate(4, 0.5)
		g.setUrgentReserve(4)
		start := time.Now()
		var wg sync.WaitGroup
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := g.wait(context.Background(), p); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		return time.Since(start)
	}
	if d := took(PriorityBulk); d < 2700*time.Millisecond {
		t.Fatalf("12 bulk calls at 4/s took %s: they spent the urgent reserve", d)
	}
	if d := took(PriorityUrgent); d > 2200*time.Millisecond {
		t.Fatalf("12 urgent calls at 4/s + 4/s reserve took %s: the reserve was not spent", d)
	}
}

// Without a rate (no lease of the budget), the urgent reserve is not spent.
func TestGateUrgentReserveNeedsARate(t *testing.T) {
	g := newGate(0, 0.5)
	g.setUrgentReserve(100)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := g.wait(ctx, PriorityUrgent); err == nil {
		t.Fatal("an urgent call went with no rate set, on the reserve alone")
	}
}

// With no urgent reserve set, urgent calls go at the rate alone: 3 of them
// at 1/s take 2 s (the first at once).
func TestGateWithoutReserveUrgentCallsKeepToTheRate(t *testing.T) {
	g := newGate(1, 0.5)
	start := time.Now()
	for range 3 {
		if err := g.wait(context.Background(), PriorityUrgent); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 1900*time.Millisecond {
		t.Fatalf("3 urgent calls at 1/s with no reserve took %s", d)
	}
}

// A call waiting for its slot at a small rate (a floor lease) goes as soon
// as a larger rate is set, not when the small rate's slot comes: at 0.5/s
// the second call would wait 2 s.
func TestGateRaisedRateEndsTheWaitForASlot(t *testing.T) {
	g := newGate(0.5, 0.5)
	if err := g.wait(context.Background(), PriorityBulk); err != nil {
		t.Fatal(err)
	}
	done := make(chan time.Time, 1)
	go func() { _ = g.wait(context.Background(), PriorityBulk); done <- time.Now() }()
	time.Sleep(100 * time.Millisecond)
	raised := time.Now()
	g.setRate(100)
	select {
	case at := <-done:
		if d := at.Sub(raised); d > 500*time.Millisecond {
			t.Fatalf("the call went %s after the rate was raised", d)
		}
	case <-time.After(1500 * time.Millisecond):
		t.Fatal("the call still waits for the slot of the old 0.5/s rate")
	}
}

// An urgent call that arrives while the dispatcher waits for the rate's
// next slot goes on the urgent reserve at once, not after that slot.
func TestGateUrgentCallArrivingMidWaitTakesTheReserve(t *testing.T) {
	g := newGate(0.5, 0.5)
	g.setUrgentReserve(10)
	if err := g.wait(context.Background(), PriorityBulk); err != nil {
		t.Fatal(err)
	}
	go func() { _ = g.wait(context.Background(), PriorityBulk) }() // waits 2 s for its slot
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if err := g.wait(context.Background(), PriorityUrgent); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("the urgent call waited %s behind the bulk call's slot", d)
	}
}

// Foreseen urgent calls count from shortly before their instant until
// shortly after it; a later foresight for the same key replaces the
// earlier, and 0 calls forgets it.
func TestGateForeseenCallsCountNearTheirInstant(t *testing.T) {
	g := newGate(10, 0.5)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	g.foresee("100", now.Add(2*time.Second), 4)
	g.foresee("101", now.Add(time.Minute), 6)
	cases := []struct {
		at   time.Time
		want int
	}{
		{now, 4},                                          // 2 s ahead, within 3 s
		{now.Add(-2 * time.Second), 0},                    // 4 s ahead
		{now.Add(3 * time.Second), 4},                     // 1 s after: still counts
		{now.Add(58 * time.Second), 6},                    // the other key; the first is gone
		{now.Add(2*time.Second + 50*time.Millisecond), 0}, // forgotten for good
	}
	for _, c := range cases {
		if got := g.foreseenWithin(c.at, 3*time.Second); got != c.want {
			t.Fatalf("at %s: %d calls foreseen within 3 s, want %d", c.at.Sub(now), got, c.want)
		}
	}
	g.foresee("101", now.Add(2*time.Minute), 2)
	g.foresee("102", now.Add(2*time.Minute), 3)
	g.foresee("102", now.Add(2*time.Minute), 0)
	if got := g.foreseenWithin(now.Add(2*time.Minute), time.Second); got != 2 {
		t.Fatalf("replaced and forgotten foresights: %d calls, want 2", got)
	}
}
