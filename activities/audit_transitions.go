package activities

import (
	"context"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
)

// An audit reads every Brivo record of the property, at most at the audit
// share of the budget: on a large property that takes a minute or more, and
// the workflow waits for the apply meanwhile. Transitions that only a write
// can make (a transfer's unit doors) must not wait for it. So while the
// audit reads, the apply keeps the property's transitions: when one falls
// due, it is made at once, at the urgent priority, from what this worker
// believes Brivo holds (exactly as a routine apply would make it), and the
// users it changed are then taken from that belief rather than from the
// read, which may predate the write.

// readKeepingTransitions is readObserved for an audit that makes the
// transitions falling due meanwhile (urgent carries the urgent priority).
// It returns the observation and the changes made during the reads.
func (a *Activities) readKeepingTransitions(ctx, urgent context.Context, in ApplyInput, mem *propertyMemory,
	at time.Time, first bool) ([]access.ObservedUser, []access.Change, error) {
	result := mem.plan.result
	if in.AppliedToken == "" || mem.believed == nil || mem.believed.token != in.AppliedToken {
		// Nothing believed to write from: read, then apply as usual.
		obs, err := a.readObserved(ctx, in.PropertyID, result, first)
		return obs, nil, err
	}
	// What is due already (a transition at the audit's own instant) is
	// made first, the same way, before the reads start.
	made, err := a.transitionStep(urgent, in, mem, at)
	if err != nil {
		return nil, nil, err
	}
	touched := map[string]bool{}
	for _, c := range made {
		touched[c.ExternalID] = true
	}

	type read struct {
		obs []access.ObservedUser
		err error
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan read, 1)
	go func() {
		obs, err := a.readObserved(rctx, in.PropertyID, result, first)
		done <- read{obs, err}
	}()

	after := at
	for {
		var due <-chan time.Time
		if ts := access.Transitions(result, after); len(ts) > 0 && mem.believed != nil {
			t := time.NewTimer(max(0, ts[0].At.Sub(a.now())))
			defer t.Stop()
			due = t.C
		}
		select {
		case r := <-done:
			if r.err != nil {
				return nil, made, r.err
			}
			return withBelieved(r.obs, touched, mem.believed), made, nil
		case <-due:
			now := a.now()
			changes, err := a.transitionStep(urgent, in, mem, now)
			if err != nil {
				return nil, made, err
			}
			for _, c := range changes {
				touched[c.ExternalID] = true
			}
			made = append(made, changes...)
			after = now
		}
	}
}

// transitionStep brings Brivo to the state due at now for the users whose
// believed state differs from it, writing from the belief without reading,
// and updates the belief.
func (a *Activities) transitionStep(ctx context.Context, in ApplyInput, mem *propertyMemory, now time.Time) ([]access.Change, error) {
	desired := access.DesiredAt(mem.plan.result, now)
	observed := slices.Clone(mem.believed.users)
	cs, _, looked, _, err := a.computeChanges(ctx, in.PropertyID, mem, now, desired, &observed, false)
	if err != nil {
		return nil, err
	}
	if g := access.Guard(cs, observed, a.Config.Guard); g.Hold && !in.AllowUnscheduledRevocations {
		cs = access.WithoutUnscheduledRevocations(cs)
	}
	run := &batch{a: a, propertyID: in.PropertyID, desired: indexDesired(desired), ids: map[string]int64{},
		ineffective: mem.ineffective, looked: looked}
	for _, u := range observed {
		run.ids[u.ExternalID] = u.BrivoID
	}
	cs = run.withoutIneffective(cs)
	for _, c := range cs.Changes {
		if err := run.execute(ctx, c); err != nil {
			return nil, err
		}
	}
	mem.ineffective = run.ineffective
	if run.stale {
		mem.believed = nil // the audit's read decides
	} else {
		believed := run.believe(observed, cs)
		mem.believed = &believedState{token: hashOf(believed), users: believed}
	}
	if len(run.done) > 0 {
		activity.GetLogger(ctx).Info("Transitions made during the audit's reads", "PropertyID", in.PropertyID,
			"Changes", len(run.done), "At", now)
	}
	return run.done, nil
}

// withBelieved replaces, in an observation, the users written during the
// reads by what was believed after the write.
func withBelieved(obs []access.ObservedUser, touched map[string]bool, believed *believedState) []access.ObservedUser {
	if len(touched) == 0 || believed == nil {
		return obs
	}
	after := map[string]access.ObservedUser{}
	for _, u := range believed.users {
		if touched[u.ExternalID] {
			after[u.ExternalID] = u
		}
	}
	out := obs[:0:0]
	for _, u := range obs {
		if b, ok := after[u.ExternalID]; ok {
			u = b
			delete(after, u.ExternalID)
		}
		out = append(out, u)
	}
	for _, u := range believed.users { // written but not read (created meanwhile)
		if _, ok := after[u.ExternalID]; ok {
			out = append(out, u)
		}
	}
	return out
}
