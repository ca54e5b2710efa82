package workflows

import (
	"errors"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// The Brivo budget (BRIVO_REQUESTS_PER_SECOND) belongs to the account: one
// api-key, one rate limit, shared by every worker. BrivoBudget is the one
// place that divides it. Each worker leases a rate with the "lease" update,
// stating how much it wants (its demand, measured from its own Brivo
// calls), and renews the lease before it expires. The workflow divides the
// budget max-min fairly among the live leases: a worker that needs less gets
// what it needs (never less than a floor, so an idle worker can still make
// a due write at once), and the busy ones share the rest equally, so an idle
// worker's share is lent to the busy ones within one renewal. The sum of the
// rates in use never exceeds the budget: a worker is granted only what the
// others' unexpired leases leave free, and takes its fair share at its next
// renewal, once the others have renewed to theirs. A lease cut at a renewal
// still counts at its old rate for CutSettle: the worker learns of the cut
// only when the answer reaches it, and spends the old rate until then. A
// worker that dies stops renewing; its lease lapses after its TTL (a few seconds for a busy lease) and its
// share goes to the others. A worker that stops cleanly releases its lease.
const (
	BrivoBudgetWorkflowType = "BrivoBudget"
	BrivoBudgetWorkflowID   = "entrata-brivo-budget"
	UpdateBrivoLease        = "lease"
	QueryBrivoLeases        = "leases"

	// BusyLeaseTTL is how long a lease above the floor lasts unrenewed: a
	// dead worker's share is idle for at most this long.
	BusyLeaseTTL = 4 * time.Second
	// IdleLeaseTTL is how long a floor lease lasts: idle workers renew
	// rarely, so the budget's history stays small.
	IdleLeaseTTL = 30 * time.Second
	// BrivoHeadroom keeps the sum of the leases under the account's limit
	// when calls from several machines arrive bunched by the network.
	BrivoHeadroom = 0.9
	// CutSettle is how long a lease cut at a renewal still counts at its
	// old rate (or until the old lease would have expired, if sooner): the
	// time for the answer to reach the worker, which spends the old rate
	// until then.
	CutSettle = time.Second
	// floorDivisor: the floor of each live lease is the budget ÷ (this ×
	// live leases).
	floorDivisor = 10
)

// leasesPerRun bounds a run's history: after this many updates the workflow
// continues as new with its leases (a variable for the tests).
var leasesPerRun = 1000

// LeaseRequest asks BrivoBudget for a rate.
type LeaseRequest struct {
	// Worker identifies the worker process (its Temporal identity).
	Worker string `json:"worker"`
	// Budget is the worker's BRIVO_REQUESTS_PER_SECOND. During a rolling
	// change of the setting, the smallest budget among the live leases
	// is divided.
	Budget float64 `json:"budget"`
	// Demand is the calls per second the worker wants; negative means as
	// many as it can get (calls are waiting for the rate).
	Demand float64 `json:"demand"`
	// Release gives the lease back (the worker is stopping).
	Release bool `json:"release,omitempty"`
}

// Lease is BrivoBudget's answer.
type Lease struct {
	// PerSecond is the rate granted until TTL has passed.
	PerSecond float64 `json:"perSecond"`
	// Fair is the worker's fair share now; PerSecond is below it while
	// other workers still hold leases granted before this one's demand.
	Fair float64 `json:"fair"`
	// Urgent is the worker's part of the headroom the leases leave (the
	// budget × (1 − BrivoHeadroom) ÷ live leases): urgent calls alone may
	// spend it on top of PerSecond, so a due transition at a worker whose
	// lease is small or just cut does not wait for the next renewal.
	Urgent  float64       `json:"urgent,omitempty"`
	TTL     time.Duration `json:"ttl"`
	Workers int           `json:"workers"`
}

// HeldLease is one worker's lease as BrivoBudget holds it.
type HeldLease struct {
	Worker    string    `json:"worker"`
	PerSecond float64   `json:"perSecond"`
	Demand    float64   `json:"demand"`
	Budget    float64   `json:"budget"`
	Expires   time.Time `json:"expires"`
	// Cut is the rate the worker held before its last renewal cut it,
	// which it may still spend until CutUntil (CutSettle after the cut, or
	// the old lease's expiry if sooner).
	Cut      float64   `json:"cut,omitempty"`
	CutUntil time.Time `json:"cutUntil,omitempty"`
}

// inUse is the most the lease's worker may be spending at now.
func (l HeldLease) inUse(now time.Time) float64 {
	r := 0.0
	if now.Before(l.Expires) {
		r = l.PerSecond
	}
	if now.Before(l.CutUntil) {
		r = max(r, l.Cut)
	}
	return r
}

// BudgetState is BrivoBudget's input and its "leases" query answer; the
// leases are sorted by worker.
type BudgetState struct {
	Leases []HeldLease `json:"leases,omitempty"`
}

// BrivoBudget runs forever (continuing as new to keep its history short)
// and answers "lease" updates; the "leases" query shows who holds what.
func BrivoBudget(ctx workflow.Context, st BudgetState) error {
	updates := 0
	if err := workflow.SetQueryHandler(ctx, QueryBrivoLeases, func() (BudgetState, error) {
		return st, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateBrivoLease,
		func(ctx workflow.Context, req LeaseRequest) (Lease, error) {
			updates++
			return st.LeaseAt(workflow.Now(ctx), req), nil
		},
		workflow.UpdateHandlerOptions{Validator: validateLease},
	); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool {
		return updates >= leasesPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
	}); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	st.expire(workflow.Now(ctx))
	return workflow.NewContinueAsNewError(ctx, BrivoBudget, st)
}

func validateLease(req LeaseRequest) error {
	switch {
	case strings.TrimSpace(req.Worker) == "":
		return errors.New("lease: worker is empty")
	case !req.Release && !(req.Budget > 0):
		return errors.New("lease: budget must be a positive number of requests per second")
	}
	return nil
}

// expire drops the leases that have lapsed by now.
func (st *BudgetState) expire(now time.Time) {
	st.Leases = slices.DeleteFunc(st.Leases, func(l HeldLease) bool {
		return !now.Before(l.Expires) && !now.Before(l.CutUntil) // a cut still counts until CutUntil
	})
}

// LeaseAt records req, made at now, and answers it (see BrivoBudget).
func (st *BudgetState) LeaseAt(now time.Time, req LeaseRequest) Lease {
	st.expire(now)
	i, found := slices.BinarySearchFunc(st.Leases, req.Worker, func(l HeldLease, w string) int { return strings.Compare(l.Worker, w) })
	if req.Release {
		if found {
			st.Leases = slices.Delete(st.Leases, i, i+1)
		}
		return Lease{Workers: len(st.Leases)}
	}
	if !found {
		st.Leases = slices.Insert(st.Leases, i, HeldLease{Worker: req.Worker})
	}
	me := &st.Leases[i]
	me.Demand, me.Budget = req.Demand, req.Budget

	budget := me.Budget
	for _, l := range st.Leases {
		budget = min(budget, l.Budget)
	}
	total := BrivoHeadroom * budget
	floor := total / float64(floorDivisor*len(st.Leases))
	fair := fairShares(total, floor, st.Leases)

	// Grant no more than the others' leases leave free, counting a cut
	// lease at its old rate until CutUntil.
	others := 0.0
	for j, l := range st.Leases {
		if j != i {
			others += l.inUse(now)
		}
	}
	grant := max(0, min(fair[i], total-others))
	last := 0.0
	if now.Before(me.Expires) {
		last = me.PerSecond
	}
	if grant < last {
		// Until the answer reaches the worker, it spends what it held
		// (a renewal is sent only once the previous answer has come, so
		// that is the last grant).
		until := now.Add(CutSettle)
		if me.Expires.Before(until) {
			until = me.Expires
		}
		if now.Before(me.CutUntil) { // an earlier cut still counts
			last = max(last, me.Cut)
			if me.CutUntil.After(until) {
				until = me.CutUntil
			}
		}
		me.Cut, me.CutUntil = last, until
	}
	me.PerSecond = grant
	ttl := BusyLeaseTTL
	if grant <= floor*1.0001 {
		ttl = IdleLeaseTTL
	}
	me.Expires = now.Add(ttl)
	urgent := 0.0
	if grant > 0 {
		urgent = (1 - BrivoHeadroom) * budget / float64(len(st.Leases))
	}
	return Lease{PerSecond: grant, Fair: fair[i], Urgent: urgent, TTL: ttl, Workers: len(st.Leases)}
}

// fairShares divides total max-min fairly: each lease wants max(demand,
// floor) (a negative demand wants everything); the smallest wants are met
// first and the rest is shared equally among those that want more.
func fairShares(total, floor float64, leases []HeldLease) []float64 {
	n := len(leases)
	want := make([]float64, n)
	order := make([]int, n)
	for i, l := range leases {
		want[i] = l.Demand
		if want[i] < 0 || want[i] > total {
			want[i] = total
		}
		want[i] = max(want[i], floor)
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case want[a] < want[b]:
			return -1
		case want[a] > want[b]:
			return 1
		}
		return 0
	})
	share := make([]float64, n)
	left := total
	for k, i := range order {
		share[i] = min(want[i], left/float64(n-k))
		left -= share[i]
	}
	return share
}
