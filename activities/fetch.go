package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// groupDirectoryTTL is how long the Brivo group list (name → ids, used to find
// unit groups by unitGroupName) is reused before it is read again.
const groupDirectoryTTL = 10 * time.Minute

type groupDirectory struct {
	mu      sync.Mutex
	byName  access.GroupDirectory
	fetched time.Time
}

// FetchPlan reads a property's units and leases from Entrata, turns them into
// entitlements and keeps the plan in this worker's memory. It runs on the
// Entrata task queue, whose rate the server holds to the shared budget.
func (a *Activities) FetchPlan(ctx context.Context, in FetchPlanInput) (PlanSummary, error) {
	policy, ok := a.Mapping.Policy(in.PropertyID)
	if !ok {
		return PlanSummary{}, permanent("PropertyNotMapped",
			fmt.Errorf("property %s is not in the mapping file (SYNC_MAPPING_FILE)", in.PropertyID))
	}
	hb := startHeartbeats(ctx, nil)
	defer hb.close()
	now := a.now()
	units, _, err := a.Entrata.GetPropertyUnits(ctx, in.PropertyID)
	if err != nil {
		return PlanSummary{}, entrataError("getPropertyUnits", err)
	}
	horizon := entrata.DateOf(now.In(policy.Location).Add(-a.Config.PastHorizon))
	leases, decodeProblems, _, err := a.Entrata.GetLeases(ctx, entrata.LeaseQuery{
		PropertyID:      in.PropertyID,
		Statuses:        []entrata.LeaseStatus{entrata.LeaseFuture, entrata.LeaseCurrent, entrata.LeaseNotice, entrata.LeasePast},
		MoveOutDateFrom: horizon,
	})
	if err != nil {
		return PlanSummary{}, entrataError("getLeases", err)
	}
	groups, err := a.groupsByName(ctx)
	if err != nil {
		return PlanSummary{}, brivoError("list groups", err)
	}

	result := access.Entitle(policy, units, leases, groups)
	for _, p := range decodeProblems {
		result.Problems = append(result.Problems, recordProblem(p))
	}
	mem := a.memory(in.PropertyID)
	a.warnUnitNumberClashes(in.PropertyID, mem, policy, units)
	gone := a.confirmGone(ctx, in.PropertyID, mem, result, len(leases))
	fp := result.Fingerprint()
	if len(gone) > 0 {
		fp += "-" + hashOf(gone)[:8]
	}
	mem.mu.Lock()
	mem.plan = &plan{fingerprint: fp, result: result, fetchedAt: now, confirmedGone: gone, leases: leases}
	mem.mu.Unlock()
	a.foresee(in.PropertyID, result, now)

	a.Metrics.Problems(in.PropertyID, len(result.Problems))
	a.Metrics.UnmappedUnits(in.PropertyID, len(result.UnmappedUnits))
	sum := PlanSummary{Fingerprint: fp, WorkerQueue: a.WorkerQueue}
	if in.HolderQueue != "" && in.HolderQueue != a.WorkerQueue {
		sum.HolderAlive = a.queuePolled(ctx, in.HolderQueue)
	}
	if fp == in.KnownFingerprint {
		return sum, nil
	}
	sum.Changed = true
	sum.Entitled = len(result.Entitlements)
	sum.Problems = len(result.Problems)
	sum.ProblemSample = problemSample(result.Problems)
	sum.UnmappedUnits = sample(result.UnmappedUnits)
	sum.WithoutMobilePass = withoutMobilePass(result, now)
	sum.Next = nextTransitions(result, now, a.Config.NamesInHistory)
	a.Logger.Info("planned property", "propertyId", in.PropertyID, "leases", len(leases),
		"entitled", sum.Entitled, "problems", sum.Problems, "unmappedUnits", len(result.UnmappedUnits))
	return sum, nil
}

// warnUnitNumberClashes logs, once per property in this worker process (at
// its first plan), that the property's unitGroupName cannot tell apart unit
// numbers used in two buildings; Entitle reports the affected units.
func (a *Activities) warnUnitNumberClashes(propertyID string, mem *propertyMemory, p access.PropertyPolicy, units []entrata.Unit) {
	clashes := access.UnitNumberClashes(p, units)
	mem.mu.Lock()
	defer mem.mu.Unlock()
	if len(clashes) == 0 || mem.clashWarned {
		return
	}
	mem.clashWarned = true
	a.Logger.Warn("unitGroupName has no {buildingName} and Entrata has the same unit number in two buildings; those units get no unit group by name",
		"propertyId", propertyID, "unitGroupName", p.UnitGroupName, "unitNumbers", sample(clashes))
}

// withoutMobilePass counts the residents with access now or later who have
// no e-mail, so no mobile pass can be sent: the manager issues them a fob.
func withoutMobilePass(r access.Result, now time.Time) int {
	n := 0
	for _, e := range r.Entitlements {
		if strings.TrimSpace(e.Email) == "" && !e.Window.Empty() && (e.Window.To == nil || now.Before(*e.Window.To)) {
			n++
		}
	}
	return n
}

// recordProblem turns a decoding problem into a policy problem naming the
// lease and, for a customer's record, the customer (ids only).
func recordProblem(p entrata.RecordProblem) access.Problem {
	out := access.Problem{LeaseID: p.LeaseID, CustomerID: p.CustomerID, Field: p.Field, Reason: p.Reason}
	if out.LeaseID == "" {
		out.LeaseID = p.ID
	}
	return out
}

// groupsByName returns the Brivo group directory, read at most every
// groupDirectoryTTL.
func (a *Activities) groupsByName(ctx context.Context) (access.GroupDirectory, error) {
	d := &a.groups
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byName != nil && a.now().Sub(d.fetched) < groupDirectoryTTL {
		return d.byName, nil
	}
	groups, err := a.Brivo.Groups.ListAll(ctx)
	if err != nil {
		return nil, err
	}
	m := make(access.GroupDirectory, len(groups))
	for _, g := range groups {
		m.Add(g.Name, g.ID)
	}
	d.byName, d.fetched = m, a.now()
	return m, nil
}

// ListProperties lists the properties the Entrata API user can see and sorts
// them against ENTRATA_PROPERTY_IDS and the mapping file.
func (a *Activities) ListProperties(ctx context.Context) (DiscoveryResult, error) {
	props, _, err := a.Entrata.GetProperties(ctx, a.Config.PropertyIDs...)
	if err != nil {
		return DiscoveryResult{}, entrataError("getProperties", err)
	}
	allowed := func(id string) bool {
		return len(a.Config.PropertyIDs) == 0 || slices.Contains(a.Config.PropertyIDs, id)
	}
	var res DiscoveryResult
	seen := map[string]bool{}
	for _, p := range props {
		if !allowed(p.ID) || seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		_, mapped := a.Mapping.Policy(p.ID)
		switch {
		case !mapped:
			res.Unmapped = append(res.Unmapped, p.ID)
		case p.Disabled:
			// A disabled property keeps its sync: disabling is not a
			// reason to revoke anyone, and Entrata still answers for it.
			res.Disabled = append(res.Disabled, p.ID)
			res.Mapped = append(res.Mapped, p.ID)
		default:
			res.Mapped = append(res.Mapped, p.ID)
		}
	}
	for _, id := range a.Mapping.PropertyIDs() {
		if allowed(id) && !seen[id] {
			res.Missing = append(res.Missing, id)
		}
	}
	slices.Sort(res.Mapped)
	slices.Sort(res.Unmapped)
	slices.Sort(res.Missing)
	slices.Sort(res.Disabled)
	return res, nil
}

// nextTransitions lists the next transitions for the workflow's timer and
// the upcoming query. Reduced names go in only when withNames is set (the
// payloads are encrypted); otherwise history carries external ids alone.
func nextTransitions(r access.Result, now time.Time, withNames bool) []Transition {
	ts := access.Transitions(r, now)
	if len(ts) > MaxSample {
		ts = ts[:MaxSample]
	}
	names := map[string]string{}
	for _, t := range ts {
		names[t.ExternalID] = ""
	}
	for _, e := range r.Entitlements {
		if _, ok := names[e.ExternalID]; ok && withNames {
			names[e.ExternalID] = shortName(e.FirstName, e.LastName)
		}
	}
	out := make([]Transition, 0, len(ts))
	for _, t := range ts {
		out = append(out, Transition{At: t.At.UTC(), Who: t.ExternalID, Name: names[t.ExternalID], Kind: t.Kind, GroupID: t.GroupID})
	}
	return out
}

// shortName reduces a name to the first name and the last initial.
func shortName(first, last string) string {
	if r := []rune(last); len(r) > 0 {
		return first + " " + string(r[0]) + "."
	}
	return first
}

func problemSample(ps []access.Problem) []string {
	n := min(len(ps), MaxSample)
	out := make([]string, 0, n)
	for _, p := range ps[:n] {
		out = append(out, p.String())
	}
	return out
}

func sample(s []string) []string {
	if len(s) > MaxSample {
		return s[:MaxSample]
	}
	return s
}

// holderAlive is how recently a worker must have polled a queue to count as
// there: an idle worker's long poll lasts about a minute.
const holderAlive = 70 * time.Second

// queuePolled reports whether a worker polled queue (activity tasks) within
// holderAlive, as the Temporal server lists its pollers.
func (a *Activities) queuePolled(ctx context.Context, queue string) bool {
	if a.Temporal == nil {
		return false
	}
	desc, err := a.Temporal.DescribeTaskQueue(ctx, queue, enumspb.TASK_QUEUE_TYPE_ACTIVITY)
	if err != nil {
		return false
	}
	for _, p := range desc.GetPollers() {
		if t := p.GetLastAccessTime(); t != nil && a.now().Sub(t.AsTime()) < holderAlive {
			return true
		}
	}
	return false
}
