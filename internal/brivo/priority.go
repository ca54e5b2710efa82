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
// dispatcher goroutine runs while calls wait; its wait for the next slot
// ends early when the rate changes or an urgent call arrives, so a slot
// reserved at a small rate (a floor lease) is never waited out after a
// larger rate has come.
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
	// wake ends the dispatcher's wait for a slot (buffered, 1).
	wake chan struct{}
	// served counts the slots handed out, for Load.
	served uint64
	// foreseen: the urgent calls expected at each key's next instant.
	foreseen map[string]foreseenCalls
}

type waiter struct{ ready chan struct{} }

func newGate(perSecond, auditShare float64) *gate {
	g := &gate{share: auditShare, now: time.Now,
		limiter: rate.NewLimiter(rate.Limit(perSecond), 1),
		audit:   rate.NewLimiter(rate.Limit(perSecond*auditShare), 1),
		urgent:  rate.NewLimiter(0, 1),
		wake:    make(chan struct{}, 1)}
	return g
}

// poke ends the dispatcher's current wait for a slot, if any.
func (g *gate) poke() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// setUrgentReserve sets the rate urgent calls may spend on top of the
// process's rate.
func (g *gate) setUrgentReserve(perSecond float64) {
	if rate.Limit(max(0, perSecond)) != g.urgent.Limit() {
		g.urgent.SetLimit(rate.Limit(max(0, perSecond)))
		g.poke()
	}
}

// setRate changes the process's rate (the account budget divided among the
// live workers).
func (g *gate) setRate(perSecond float64) {
	if rate.Limit(perSecond) == g.limiter.Limit() {
		return
	}
	g.limiter.SetLimit(rate.Limit(perSecond))
	g.audit.SetLimit(rate.Limit(perSecond * g.share))
	g.poke()
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
	} else if p == PriorityUrgent {
		g.poke() // it may go on the reserve, before the slot waited for
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
		urgent := len(g.queues[PriorityUrgent]) > 0 && g.urgent.Limit() > 0
		if urgent && g.urgent.Allow() {
			// An urgent call need not wait for the rate's next slot.
			g.serve(PriorityUrgent)
			g.mu.Unlock()
			continue
		}
		g.mu.Unlock()
		r := g.limiter.Reserve()
		wait, early := r.Delay(), false
		if urgent {
			// The reserve's next token may come before the slot.
			if d := untilToken(g.urgent); d < wait {
				wait, early = d, true
			}
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-g.wake:
				t.Stop()
				// Unless the slot has come meanwhile (it could not
				// be given back), look again.
				early = early || r.Delay() > 0
			}
		}
		if early {
			r.Cancel() // the slot is not taken: look again
			continue
		}
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

// untilToken is how long until l has a whole token.
func untilToken(l *rate.Limiter) time.Duration {
	missing := 1 - l.Tokens()
	if missing <= 0 {
		return 0
	}
	return max(time.Millisecond, time.Duration(missing/float64(l.Limit())*float64(time.Second)))
}

// serve hands a slot to the first call waiting at p (g.mu held).
func (g *gate) serve(p Priority) {
	q := g.queues[p]
	close(q[0].ready)
	g.queues[p] = q[1:]
	g.served++
}

// foreseenGrace is how long after its instant a foreseen call still counts:
// the apply that makes it starts a little after the instant.
const foreseenGrace = 2 * time.Second

type foreseenCalls struct {
	at    time.Time
	calls int
}

// foresee records that about calls urgent calls are expected at at for key
// (a property: each key has one instant, the next; calls 0 forgets it).
func (g *gate) foresee(key string, at time.Time, calls int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if calls <= 0 {
		delete(g.foreseen, key)
		return
	}
	if g.foreseen == nil {
		g.foreseen = map[string]foreseenCalls{}
	}
	g.foreseen[key] = foreseenCalls{at: at, calls: calls}
}

// foreseenWithin counts the urgent calls expected from now until now +
// within (and those whose instant passed less than foreseenGrace ago),
// forgetting older ones.
func (g *gate) foreseenWithin(now time.Time, within time.Duration) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for k, f := range g.foreseen {
		switch {
		case f.at.Before(now.Add(-foreseenGrace)):
			delete(g.foreseen, k)
		case !f.at.After(now.Add(within)):
			n += f.calls
		}
	}
	return n
}
