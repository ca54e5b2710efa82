package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
)

// applyProgress is ApplyPlan's heartbeat detail: a retry of the same change
// set resumes after the changes already done.
type applyProgress struct {
	ChangeSet string `json:"changeSet"`
	Done      int    `json:"done"`
}

// maxWaitForInstant bounds how long ApplyPlan waits for an At ahead of it.
const maxWaitForInstant = 2 * time.Second

// ApplyPlan applies to Brivo the changes due at in.At (or now, if later),
// from the plan FetchPlan left in memory. A routine apply trusts what this
// worker knows it applied and reads nothing per resident from Brivo; an audit,
// or a worker that does not hold the applied state, reads the records we own
// first and so also puts back manual edits.
func (a *Activities) ApplyPlan(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	if p, _ := a.Mapping.Policy(in.PropertyID); p.Previewing() {
		return a.previewApply(ctx, in) // writes nothing (preview.go)
	}
	// A cycle that starts ahead of a transition less than a second away
	// (a workflow timer is never shorter than a second) waits for its
	// instant here, so the writes are neither early nor a second late.
	if d := in.At.Sub(a.now()); d > 0 && d <= maxWaitForInstant {
		select {
		case <-ctx.Done():
			return ApplyResult{}, ctx.Err()
		case <-time.After(d):
		}
	}
	hb := startHeartbeats(ctx, applyProgress{})
	defer hb.close()
	ctx, times := brivo.WithCallTimes(ctx)
	begun := a.now()
	mem, at, err := a.lockPlan(in)
	if err != nil {
		return ApplyResult{}, err
	}
	defer mem.mu.Unlock()
	locked := a.now() // another apply of the property may hold its memory
	log := activity.GetLogger(ctx)
	result := mem.plan.result

	var observed []access.ObservedUser
	var auditStart time.Time
	audited := false
	// A routine apply makes due transitions and new residents happen: its
	// calls go first. An audit (or a first sync) repairs in bulk; an
	// audit's reads take at most the audit share of this worker's Brivo
	// budget.
	ctx = brivo.WithPriority(ctx, brivo.PriorityUrgent)
	urgent := ctx
	var made []access.Change // transitions made while an audit read
	if !in.Audit && in.AppliedToken != "" && mem.believed != nil && mem.believed.token == in.AppliedToken {
		observed = slices.Clone(mem.believed.users)
	} else {
		auditStart = a.now()
		ctx = brivo.WithPriority(ctx, brivo.PriorityBulk)
		kind := readAudit
		switch {
		case in.AppliedToken == "":
			kind = readInitial // the property's first sync
		case !in.Audit:
			kind = readAgain // this worker lost what was applied
		}
		if observed, made, err = a.readKeepingTransitions(ctx, urgent, in, mem, at, kind); err != nil {
			return ApplyResult{}, err
		}
		audited = true
		// Reading a large property takes a while at the audit share:
		// make the transitions that fell due meanwhile with this apply.
		if now := a.now(); now.After(at) {
			at = now
		}
	}
	desired := access.DesiredAt(result, at)
	cs, unlisted, looked, sharedProblems, err := a.computeChanges(ctx, in.PropertyID, mem, at, desired, &observed, audited)
	if err != nil {
		return ApplyResult{}, err
	}
	if unlisted > 0 {
		log.Warn("Audit did not find residents under the property tag; the tag is repaired, nothing is re-sent",
			"PropertyID", in.PropertyID, "Unlisted", unlisted)
	}
	res := ApplyResult{Audited: audited, Unlisted: unlisted}
	guard := access.Guard(cs, observed, a.Config.Guard)
	if guard.Hold && !in.AllowUnscheduledRevocations {
		cs = access.WithoutUnscheduledRevocations(cs)
		res.Held, res.HoldReason = guard.Unscheduled, guard.Reason
		log.Warn("Mass-revocation guard holds revocations", "PropertyID", in.PropertyID,
			"Unscheduled", guard.Unscheduled, "Active", guard.Active)
	}

	run := &batch{a: a, propertyID: in.PropertyID, desired: indexDesired(desired), ids: map[string]int64{},
		audit: audited, ineffective: mem.ineffective, looked: looked}
	for _, u := range observed {
		run.ids[u.ExternalID] = u.BrivoID
	}
	cs = run.withoutIneffective(cs)
	start := 0
	csHash := hashOf(cs)
	if activity.HasHeartbeatDetails(ctx) {
		var p applyProgress
		if err := activity.GetHeartbeatDetails(ctx, &p); err == nil && p.ChangeSet == csHash {
			start = p.Done
			run.resumed = true
			log.Info("Resuming apply after a retry", "PropertyID", in.PropertyID, "Done", p.Done, "Total", len(cs.Changes))
		}
	}
	if len(cs.Changes) > 0 {
		log.Info("Applying access changes", "PropertyID", in.PropertyID, "Changes", len(cs.Changes), "Audit", audited)
	}
	for i := start; i < len(cs.Changes); i++ {
		if err := ctx.Err(); err != nil {
			return ApplyResult{}, err
		}
		if err := run.execute(ctx, cs.Changes[i]); err != nil {
			return ApplyResult{}, err
		}
		hb.progress(applyProgress{ChangeSet: csHash, Done: i + 1})
		if (i+1)%100 == 0 {
			log.Info("Apply progress", "PropertyID", in.PropertyID, "Done", i+1, "Total", len(cs.Changes))
		}
	}

	// What Brivo holds now, as far as this worker knows: the observed state
	// with every change that succeeded.
	mem.ineffective = run.ineffective
	believed := run.believe(observed, cs)
	token := hashOf(believed)
	mem.believed = &believedState{token: token, users: believed}
	if run.stale {
		mem.believed, token = nil, "" // the next apply reads Brivo
	}

	res.AppliedToken = token
	// Grants and revocations count residents, not Brivo calls.
	res.Changes = map[string]int{}
	granted, revoked := map[string]bool{}, map[string]bool{}
	for _, c := range slices.Concat(made, run.done) {
		res.Changes[string(c.Kind)]++
		if c.Revocation {
			revoked[c.ExternalID] = true
		} else if (c.Kind == access.CreateUser || c.Kind == access.Unsuspend) && !run.failed[c.ExternalID] {
			granted[c.ExternalID] = true // a resident whose batch broke off is not granted yet
		}
	}
	res.Grants, res.Revocations = len(granted), len(revoked)
	if len(res.Changes) == 0 {
		res.Changes = nil
	}
	// What failed in Brivo just now comes first: the sample is short and
	// this is what an operator can act on.
	problems := append(append([]access.Problem{}, run.problems...), mem.plan.result.Problems...)
	problems = append(append(problems, cs.Problems...), sharedProblems...)
	if unlisted > 0 {
		problems = append(problems, access.Problem{Field: "tag", Reason: fmt.Sprintf(
			"%d residents were not listed under the property tag by the audit (tag missing or not matched); found by external id, tag repaired", unlisted)})
	}
	res.Problems = len(problems)
	res.ProblemSample = problemSample(problems)
	res.Active = countActive(desired, at)
	res.Next = nextTransitions(mem.plan.result, at, a.Config.NamesInHistory)
	a.foresee(in.PropertyID, mem.plan.result, at)

	a.Metrics.Grants(in.PropertyID, res.Grants)
	a.Metrics.Revocations(in.PropertyID, res.Revocations)
	a.Metrics.HeldRevocations(in.PropertyID, res.Held)
	if audited {
		a.Metrics.UnlistedUsers(in.PropertyID, unlisted)
		a.Metrics.AuditCompleted(in.PropertyID, auditStart)
	}
	a.Metrics.SyncSucceeded(in.PropertyID, a.now())
	log.Info("Apply done", append([]any{"PropertyID", in.PropertyID, "Grants", res.Grants, "Revocations", res.Revocations,
		"Changes", len(run.done), "Problems", res.Problems, "Held", res.Held, "Active", res.Active,
		"LockWait", locked.Sub(begun), "Took", a.now().Sub(begun)}, callTimesFields(times)...)...)
	return res, nil
}

// computeChanges computes the change set from the observation: it first looks up the
// users the desired state wants that the observation lacks, then, for the
// people another property also manages, asks Entrata what those properties
// entitle them to and lets account-wide state follow the union. observed is
// updated in place with what was read. It returns the change set, how many
// wanted users an audit did not find under the tag, the external ids looked
// up in vain (the executor need not look again), and the problems of the
// cross-property reads.
func (a *Activities) computeChanges(ctx context.Context, propertyID string, mem *propertyMemory, at time.Time,
	desired access.Desired, observed *[]access.ObservedUser, audited bool) (access.ChangeSet, int, map[string]bool, []access.Problem, error) {
	policy, _ := a.Mapping.Policy(propertyID)
	obs, found, looked, err := a.observeMissing(ctx, propertyID, desired, *observed, managedGroups(policy, mem.plan.result))
	if err != nil {
		return access.ChangeSet{}, 0, nil, nil, err
	}
	*observed = obs
	unlisted := 0
	if audited {
		unlisted = found
	}
	opts := access.DiffOptions{InviteMobilePass: a.Config.InviteMobilePass, ConfirmedGone: mem.plan.confirmedGone,
		PropertyID: propertyID, Now: at}
	cs := access.Diff(desired, obs, opts)
	if !audited {
		if err := a.refreshAccountWide(ctx, cs, obs); err != nil {
			return access.ChangeSet{}, 0, nil, nil, err
		}
	}
	shared, problems := a.sharedFor(ctx, propertyID, mem, cs, obs, at)
	opts.Shared = shared
	return access.Diff(access.DesiredAtShared(mem.plan.result, at, shared), obs, opts), unlisted, looked, problems, nil
}

// lockPlan locks the property's memory for an apply and checks that it
// holds the plan in.Fingerprint names; it returns the instant to apply at
// (in.At, or now if later). The caller unlocks mem.mu.
func (a *Activities) lockPlan(in ApplyInput) (*propertyMemory, time.Time, error) {
	mem := a.memory(in.PropertyID)
	mem.mu.Lock()
	if mem.plan == nil || mem.plan.fingerprint != in.Fingerprint {
		mem.mu.Unlock()
		return nil, time.Time{}, errPlanNotCached(in.PropertyID)
	}
	at := in.At
	if now := a.now(); now.After(at) {
		at = now
	}
	return mem, at, nil
}

func indexDesired(d access.Desired) map[string]access.DesiredUser {
	m := make(map[string]access.DesiredUser, len(d.Users))
	for _, u := range d.Users {
		m[u.ExternalID] = u
	}
	return m
}

func countActive(d access.Desired, at time.Time) int {
	n := 0
	for _, u := range d.Users {
		if !u.Suspended && u.Window.Contains(at) {
			n++
		}
	}
	return n
}

// hashOf is a short, stable digest of a JSON-encodable value.
func hashOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("hash: %v", err)) // only our own plain structs come here
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}
