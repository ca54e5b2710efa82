package activities

import (
	"context"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
)

// An audit reads every Brivo record of the property, at most at the audit
// share of the budget: on a large property that takes a minute or more, and
// the workflow waits for the apply meanwhile. So does a worker that believes
// nothing of the property (the plan moved to it, or it restarted), which
// reads everything before it writes. Transitions that only a write can make
// (a move-out's suspension, a transfer's unit doors) must not wait for
// either. So while the property is read, the apply keeps its transitions:
// when one falls due, it is made at once, at the urgent priority, exactly
// as a routine apply would make it, from what this worker believes Brivo
// holds, or, believing nothing, from a read of the transitioning people
// alone (by external id, with their groups and credentials). The users it
// changed are then taken from that belief rather than from the read, which
// may predate the write.

// recentTransitions is how far before the instant an apply was asked for a
// worker that believes nothing looks for transitions it may have to make
// before its read: the workflow wakes at each transition's instant, and an
// apply that moved worker or was retried starts somewhat after it.
const recentTransitions = 5 * time.Minute

// readKeepingTransitions is readObserved for an apply that reads the
// property and makes the transitions falling due meanwhile (urgent carries
// the urgent priority). It returns the observation and the changes made
// during the reads.
func (a *Activities) readKeepingTransitions(ctx, urgent context.Context, in ApplyInput, mem *propertyMemory,
	at time.Time, kind readKind) ([]access.ObservedUser, []access.Change, error) {
	result := mem.plan.result
	// believing: the worker holds what the workflow last applied, and
	// writes from it. Otherwise it writes from what it reads of the
	// transitioning people (partial, which grows with each step).
	believing := in.AppliedToken != "" && mem.believed != nil && mem.believed.token == in.AppliedToken
	partial := &believedState{}
	step := func(since, now time.Time) ([]access.Change, error) {
		sctx, _ := brivo.WithCallTimes(urgent) // the step's log line reports them
		if believing {
			return a.transitionStep(sctx, in, mem, now)
		}
		return a.unreadStep(sctx, in, mem, &partial, since, now)
	}
	keeping := func() bool { return (believing && mem.believed != nil) || (!believing && partial != nil) }

	// What is due already (a transition at the apply's own instant) is
	// made first, the same way, before the reads start.
	since := at
	if !believing {
		since = in.At
		if since.IsZero() || since.After(at) {
			since = at
		}
		since = since.Add(-recentTransitions)
	}
	made, err := step(since, at)
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
		obs, err := a.readObserved(rctx, in.PropertyID, result, kind)
		done <- read{obs, err}
	}()

	after := at
	for {
		var due <-chan time.Time
		a.foresee(in.PropertyID, result, after)
		if ts := access.Transitions(result, after); len(ts) > 0 && keeping() {
			t := time.NewTimer(max(0, ts[0].At.Sub(a.now())))
			defer t.Stop()
			due = t.C
		}
		select {
		case r := <-done:
			if r.err != nil {
				return nil, made, r.err
			}
			if believing {
				return withBelieved(r.obs, touched, mem.believed), made, nil
			}
			return withBelieved(r.obs, touched, partial), made, nil
		case <-due:
			now := a.now()
			changes, err := step(after, now)
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

// unreadStep is transitionStep for a worker that believes nothing of the
// property: it makes the transitions in (since, now] from a read of the
// people they concern alone, at the urgent priority. *known holds what the
// earlier steps left those people in, and takes what this one does; a write
// that finds Brivo other than read sets it to nil (the whole read decides).
func (a *Activities) unreadStep(ctx context.Context, in ApplyInput, mem *propertyMemory, known **believedState,
	since, now time.Time) ([]access.Change, error) {
	due := map[string]bool{}
	for _, t := range access.Transitions(mem.plan.result, since) {
		if t.At.After(now) {
			break
		}
		due[t.ExternalID] = true
	}
	if len(due) == 0 || *known == nil {
		return nil, nil
	}
	// The plan and the observation narrowed to these people: nobody else
	// is read, and nobody else can be changed (a user observed but not
	// desired would be revoked as absent).
	part := mem.plan.result
	part.Entitlements = slices.DeleteFunc(slices.Clone(part.Entitlements), func(e access.Entitlement) bool { return !due[e.ExternalID] })
	var observed []access.ObservedUser
	have := map[string]bool{}
	for _, u := range (*known).users {
		if due[u.ExternalID] {
			observed = append(observed, u)
			have[u.ExternalID] = true
		}
	}
	// Read as the whole read would: their memberships of every group the
	// property manages, not only of those the narrowed plan names.
	var unread []string
	for _, e := range part.Entitlements {
		if !have[e.ExternalID] && access.Owned(e.ExternalID) {
			unread = append(unread, e.ExternalID)
		}
	}
	lctx := brivo.WithPurpose(ctx, purposeLookup)
	existing, err := a.existingUsers(lctx, unread)
	if err != nil {
		return nil, err
	}
	policy, _ := a.Mapping.Policy(in.PropertyID)
	managed := managedGroups(policy, mem.plan.result)
	for _, ext := range unread {
		if u := existing[ext]; u != nil {
			ou, err := a.observeOne(lctx, u, managed)
			if err != nil {
				return nil, err
			}
			observed = append(observed, ou)
		}
	}

	pm := &propertyMemory{plan: &plan{result: part, confirmedGone: mem.plan.confirmedGone},
		believed: &believedState{users: observed}, ineffective: mem.ineffective, sharedCache: mem.sharedCache}
	changes, err := a.transitionStep(ctx, in, pm, now)
	mem.ineffective, mem.sharedCache = pm.ineffective, pm.sharedCache
	if err != nil {
		return nil, err
	}
	if pm.believed == nil {
		*known = nil
		return changes, nil
	}
	after := slices.DeleteFunc(slices.Clone((*known).users), func(u access.ObservedUser) bool { return due[u.ExternalID] })
	*known = &believedState{users: append(after, pm.believed.users...)}
	return changes, nil
}

// transitionStep brings Brivo to the state due at now for the users whose
// believed state differs from it, writing from the belief without reading,
// and updates the belief. Its log line reports the Brivo call times of ctx:
// the whole step's (readKeepingTransitions sets them), with the look-ups of
// an unreadStep.
func (a *Activities) transitionStep(ctx context.Context, in ApplyInput, mem *propertyMemory, now time.Time) ([]access.Change, error) {
	desired := access.DesiredAt(mem.plan.result, now)
	observed := slices.Clone(mem.believed.users)
	cs, _, looked, _, err := a.computeChanges(ctx, in.PropertyID, mem, now, desired, &observed, false)
	if err != nil {
		return nil, err
	}
	computed := a.now()
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
		activity.GetLogger(ctx).Info("Transitions made during the audit's reads", append([]any{"PropertyID", in.PropertyID,
			"Changes", len(run.done), "At", now, "Computed", computed.Sub(now), "Took", a.now().Sub(now)},
			callTimesFields(brivo.CallTimesOf(ctx))...)...)
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
