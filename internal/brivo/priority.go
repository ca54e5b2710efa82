package brivo

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Priority orders the Brivo calls of one process competing for its share of
// the account's budget.
type Priority int

// Priorities, most urgent first.
const (
	// PriorityUrgent: a due transition, a resident entitled now (routine
	// applies). Served first, always.
	PriorityUrgent Priority = iota
	// PriorityBulk: a property's initial sync and audit repairs. Served
	// at the full rate when nothing urgent waits.
	PriorityBulk
	// PriorityAudit: audit reads. Served only when nothing else waits, and
	// at most the audit share of the rate.
	PriorityAudit
	priorities
)

type priorityKey struct{}

// WithPriority sets the priority of the Brivo calls made with ctx. Calls
// without one are PriorityBulk.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, p)
}

// PriorityOf returns the priority WithPriority set on ctx.
func PriorityOf(ctx context.Context) Priority {
	if p, ok := ctx.Value(priorityKey{}).(Priority); ok && p >= 0 && p < priorities {
		return p
	}
	return PriorityBulk
}

// gate paces a process's Brivo calls at its rate (burst 1, so no more than
// the rate ever arrives in one second) and hands each slot to the most
// urgent waiting call. Audit reads also take a slot of the audit limiter
// (share × rate): with only audit reads waiting, the other slots go unused,
// which is the cap. Urgent calls may also take a slot of the urgent
// reserve, on top of the rate, but only while the process has a rate. A
// dispatcher goroutine runs while calls wait.
type gate struct {
	mu        sync.Mutex
	limiter   *rate.Limiter
	audit     *rate.Limiter
	urgent    *rate.Limiter
	share     float64
	holdUntil time.Time
	queues    [priorities][]*waiter
	running   bool
	now       func() time.Time
	// served counts the slots handed out, for Load.
	served uint64
}

type waiter struct{ ready chan struct{} }

func newGate(perSecond, auditShare float64) *gate {
	g := &gate{share: auditShare, now: time.Now,
		limiter: rate.NewLimiter(rate.Limit(perSecond), 1),
		audit:   rate.NewLimiter(rate.Limit(perSecond*auditShare), 1),
		urgent:  rate.NewLimiter(0, 1)}
	return g
}

// setUrgentReserve sets the rate urgent calls may spend on top of the
// process's rate.
func (g *gate) setUrgentReserve(perSecond float64) {
	g.urgent.SetLimit(rate.Limit(max(0, perSecond)))
}

// setRate changes the process's rate (the account budget divided among the
// live workers).
func (g *gate) setRate(perSecond float64) {
	g.limiter.SetLimit(rate.Limit(perSecond))
	g.audit.SetLimit(rate.Limit(perSecond * g.share))
}

// load reports the slots handed out so far and the calls waiting now.
func (g *gate) load() (served uint64, waiting int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, q := range g.queues {
		waiting += len(q)
	}
	return g.served, waiting
}

// hold keeps every call waiting until t.
func (g *gate) hold(until time.Time) {
	g.mu.Lock()
	g.holdUntil = until
	g.mu.Unlock()
}

// holdAtLeast keeps every call waiting until t, unless a hold already lasts
// longer.
func (g *gate) holdAtLeast(until time.Time) {
	g.mu.Lock()
	if until.After(g.holdUntil) {
		g.holdUntil = until
	}
	g.mu.Unlock()
}

// wait blocks until the call may go.
func (g *gate) wait(ctx context.Context, p Priority) error {
	w := &waiter{ready: make(chan struct{})}
	g.mu.Lock()
	g.queues[p] = append(g.queues[p], w)
	if !g.running {
		g.running = true
		go g.dispatch()
	}
	g.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		defer g.mu.Unlock()
		for i, q := range g.queues[p] {
			if q == w {
				g.queues[p] = append(g.queues[p][:i], g.queues[p][i+1:]...)
				return ctx.Err()
			}
		}
		return nil // granted meanwhile: the slot is ours
	}
}

// dispatch hands out slots until no call waits.
func (g *gate) dispatch() {
	for {
		g.mu.Lock()
		hold := g.holdUntil.Sub(g.now())
		empty := true
		for _, q := range g.queues {
			empty = empty && len(q) == 0
		}
		if empty {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		if hold > 0 {
			// In steps: the hold may be shortened meanwhile.
			time.Sleep(min(hold, 100*time.Millisecond))
			continue
		}
		if g.limiter.Limit() <= 0 {
			// No rate (no lease of the shared budget yet, or it
			// lapsed): wait for one.
			time.Sleep(20 * time.Millisecond)
			continue
		}
		g.mu.Lock()
		if len(g.queues[PriorityUrgent]) > 0 && g.urgent.Limit() > 0 && g.urgent.Allow() {
			// An urgent call need not wait for the rate's next slot.
			g.serve(PriorityUrgent)
			g.mu.Unlock()
			continue
		}
		g.mu.Unlock()
		_ = g.limiter.Wait(context.Background())
		g.mu.Lock()
		for p := range g.queues {
			q := g.queues[p]
			if len(q) == 0 || (Priority(p) == PriorityAudit && !g.audit.Allow()) {
				continue
			}
			g.serve(Priority(p))
			break
		}
		g.mu.Unlock()
	}
}

// serve hands a slot to the first call waiting at p (g.mu held).
func (g *gate) serve(p Priority) {
	q := g.queues[p]
	close(q[0].ready)
	g.queues[p] = q[1:]
	g.served++
}
