package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
)

// previewApply is ApplyPlan for a property whose mapping says mode: preview.
// It computes the full change set against what Brivo really holds (an
// audit-style read, every time: nothing is believed, because nothing was
// written) and writes nothing. The result counts the changes by kind. Its
// token ("preview-" and the plan's fingerprint) lets the workflow skip the
// read until Entrata changes, a transition or an audit is due; it never
// matches what a worker believes it applied, so when the mapping switches to
// apply (a worker restart, hence a new plan and no token) the first apply
// reads Brivo again and makes exactly the changes still missing: nothing is
// lost and nothing is written twice.
func (a *Activities) previewApply(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	hb := startHeartbeats(ctx, applyProgress{})
	defer hb.close()
	mem, at, err := a.lockPlan(in)
	if err != nil {
		return ApplyResult{}, err
	}
	defer mem.mu.Unlock()
	cs, _, err := a.previewChanges(ctx, in.PropertyID, mem, at)
	if err != nil {
		return ApplyResult{}, err
	}
	auditStart := a.now()
	res := ApplyResult{Preview: true, Audited: true, Changes: map[string]int{}, AppliedToken: "preview-" + in.Fingerprint}
	for _, c := range cs.Changes {
		res.Changes[string(c.Kind)]++
	}
	problems := append(slices.Clone(mem.plan.result.Problems), cs.Problems...)
	res.Problems, res.ProblemSample = len(problems), problemSample(problems)
	res.Active = countActive(access.DesiredAt(mem.plan.result, at), at)
	res.Next = nextTransitions(mem.plan.result, at, a.Config.NamesInHistory)
	a.Metrics.AuditCompleted(in.PropertyID, auditStart)
	a.Metrics.SyncSucceeded(in.PropertyID, a.now())
	activity.GetLogger(ctx).Info("Preview: changes computed, nothing written", "PropertyID", in.PropertyID,
		"Changes", len(cs.Changes))
	return res, nil
}

// previewChanges reads the Brivo records the property owns, without creating
// anything (not even the custom-field definition), and diffs them against
// the plan at at. The lock of mem is held.
func (a *Activities) previewChanges(ctx context.Context, propertyID string, mem *propertyMemory, at time.Time) (access.ChangeSet, []access.ObservedUser, error) {
	ctx = brivo.WithPriority(brivo.WithPurpose(ctx, purposeAuditRead), brivo.PriorityAudit)
	var observed []access.ObservedUser
	field, err := a.findField(ctx)
	if err != nil {
		return access.ChangeSet{}, nil, brivoError("custom fields", err)
	}
	if field != 0 {
		a.rememberField(field)
		if observed, err = a.readObserved(ctx, propertyID, mem.plan.result, readAudit); err != nil {
			return access.ChangeSet{}, nil, err
		}
	}
	desired := access.DesiredAt(mem.plan.result, at)
	cs, _, _, _, err := a.computeChanges(ctx, propertyID, mem, at, desired, &observed, true)
	if err != nil {
		return access.ChangeSet{}, nil, err
	}
	if g := access.Guard(cs, observed, a.Config.Guard); g.Hold {
		cs.Problems = append(cs.Problems, access.Problem{Field: "guard", Reason: "in apply mode the mass-revocation guard would hold " +
			fmt.Sprint(g.Unscheduled) + " revocations: " + g.Reason})
	}
	return cs, observed, nil
}

// PreviewChanges lists, for the operator, every change the sync would make
// to a property now and every transition of the next 30 days, with the
// adoption proposal. It runs on the worker that holds the plan and writes
// nothing to Brivo.
func (a *Activities) PreviewChanges(ctx context.Context, in OperatorInput) (PreviewReport, error) {
	mem := a.memory(in.PropertyID)
	mem.mu.Lock()
	defer mem.mu.Unlock()
	if mem.plan == nil {
		return PreviewReport{}, errPlanNotCached(in.PropertyID)
	}
	policy, _ := a.Mapping.Policy(in.PropertyID)
	at := a.now()
	cs, _, err := a.previewChanges(ctx, in.PropertyID, mem, at)
	if err != nil {
		return PreviewReport{}, err
	}
	names := a.reducedNames(mem.plan.result)
	rep := PreviewReport{PropertyID: in.PropertyID, At: at.UTC(), Mode: policy.Mode, Counts: map[string]int{}}
	for _, c := range cs.Changes {
		row := PreviewRow{At: at.UTC(), Who: c.ExternalID, Name: names[c.ExternalID], BrivoID: c.BrivoID,
			What: string(c.Kind), Detail: changeDetail(c), Why: changeWhy(c)}
		rep.Rows = append(rep.Rows, row)
		rep.Counts[row.What]++
	}
	for _, t := range access.Transitions(mem.plan.result, at) {
		if t.At.After(at.Add(PreviewHorizon)) {
			break
		}
		row := PreviewRow{At: t.At.UTC(), Who: t.ExternalID, Name: names[t.ExternalID], What: t.Kind,
			Why: transitionWhy(t.Kind)}
		if t.GroupID != 0 {
			row.Detail = fmt.Sprintf("group %d", t.GroupID)
		}
		rep.Rows = append(rep.Rows, row)
		rep.Counts[row.What]++
	}
	adoption, err := a.proposeAdoption(ctx, in.PropertyID, mem, at)
	if err != nil {
		return PreviewReport{}, err
	}
	rep.Adoption = &adoption
	return rep, nil
}

// reducedNames gives each resident's reduced name, only when names may enter
// history (payloads encrypted).
func (a *Activities) reducedNames(r access.Result) map[string]string {
	out := map[string]string{}
	if !a.Config.NamesInHistory {
		return out
	}
	for _, e := range r.Entitlements {
		out[e.ExternalID] = shortName(e.FirstName, e.LastName)
	}
	return out
}

func changeDetail(c access.Change) string {
	var parts []string
	if len(c.AddGroups) > 0 {
		parts = append(parts, "add groups "+joinIDs(c.AddGroups))
	}
	if len(c.RemoveGroups) > 0 {
		parts = append(parts, "remove groups "+joinIDs(c.RemoveGroups))
	}
	if c.Window != nil {
		parts = append(parts, "window "+formatWindow(*c.Window))
	}
	if c.CredentialID != 0 {
		parts = append(parts, fmt.Sprintf("credential %d", c.CredentialID))
	}
	if c.Kind == access.SetTag {
		parts = append(parts, fmt.Sprintf("tag %q", c.Tag))
	}
	return strings.Join(parts, "; ")
}

func changeWhy(c access.Change) string {
	switch {
	case c.Kind == access.CreateUser:
		return "Entrata entitles this resident and Brivo has no user with this external id"
	case c.Kind == access.InviteMobilePass:
		return "the resident has an e-mail and no credential: a mobile pass is sent"
	case c.Kind == access.DeleteUser:
		return "Entrata confirmed the customer no longer exists"
	case c.Revocation && !c.Scheduled:
		return "absent from Entrata's answer (an unscheduled revocation, counted by the mass-revocation guard)"
	case c.Kind == access.Suspend:
		return "the resident's access window is over (move-out)"
	case c.Kind == access.Unsuspend:
		return "Entrata entitles the resident again"
	case c.Kind == access.SetWindow:
		return "the credential window differs from the lease dates"
	case c.Kind == access.ChangeGroups:
		return "the groups differ from what the leases give now"
	case c.Kind == access.PatchUser:
		return "name or e-mail differs from Entrata"
	case c.Kind == access.SetTag:
		return "the Entrata Property tag does not list the property"
	}
	return string(c.Kind)
}

func transitionWhy(kind string) string {
	switch kind {
	case access.KindMoveIn:
		return "move-in date in Entrata: the door opens (the user is provisioned ahead)"
	case access.KindMoveOut:
		return "move-out date in Entrata: access ends, the user is suspended"
	case access.KindGroupAdd:
		return "a lease (transfer or new unit) opens this group"
	case access.KindGroupRemove:
		return "a lease (transfer or old unit) closes this group"
	}
	return kind
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ",")
}

func formatWindow(w access.Window) string {
	to := "open"
	if w.To != nil {
		to = w.To.UTC().Format(time.RFC3339)
	}
	return w.From.UTC().Format(time.RFC3339) + " to " + to
}
