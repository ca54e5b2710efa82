package activities

import (
	"context"
	"slices"
	"strings"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
)

// readObserved reads, with as few calls as the Brivo API allows, the state of
// the Brivo records this property owns:
//
//   - the users: one paged list filtered exactly on the property custom
//     field (cf_<id>__exact:<propertyId>, the people only this property
//     manages) and one filtered on its delimited token (cf_<id>__eq:,<id>,,
//     a contains match, the people several properties manage), 100 users a
//     call; the tag of every user returned is checked, so property 10 never
//     takes property 100's users for its own;
//   - their memberships of the property's managed groups: one paged member
//     list per group (building groups and unit groups), or, when the
//     property has fewer users than groups (its first sync), one group
//     list per user; with no user yet, nothing;
//   - their credentials and windows: one call per user, as Brivo has no bulk
//     read of credential assignments.
//
// An audit so costs about 1 + 1/100 calls per resident plus one call per
// managed group (per 100 members) and two list calls. Group memberships
// outside the property's managed groups are not ours (contract: we own
// building and unit groups).
//
// kind says why the property is read, which sets the priority of the reads.
func (a *Activities) readObserved(ctx context.Context, propertyID string, r access.Result, kind readKind) ([]access.ObservedUser, error) {
	switch kind {
	case readInitial:
		ctx = brivo.WithPriority(brivo.WithPurpose(ctx, purposeInitialRead), brivo.PriorityBulk)
	case readAgain:
		ctx = brivo.WithPriority(brivo.WithPurpose(ctx, purposeAuditRead), brivo.PriorityBulk)
	default:
		ctx = brivo.WithPriority(brivo.WithPurpose(ctx, purposeAuditRead), brivo.PriorityAudit)
	}
	fieldID, err := a.propertyField(ctx)
	if err != nil {
		return nil, brivoError("custom fields", err)
	}
	only, err := a.Brivo.Users.ListByCustomField(ctx, fieldID, propertyID)
	if err != nil {
		return nil, brivoError("list users", err)
	}
	several, err := a.Brivo.Users.ListByCustomFieldContaining(ctx, fieldID, access.TagToken(propertyID))
	if err != nil {
		return nil, brivoError("list users", err)
	}
	byExt := map[string]*access.ObservedUser{}
	var order []string
	for _, u := range append(only, several...) {
		if !strings.HasPrefix(u.ExternalID, access.Prefix) || byExt[u.ExternalID] != nil {
			continue // never ours, never touched; or listed twice
		}
		ou := a.observedUser(&u)
		if !access.TagLists(ou.Tag, propertyID) {
			continue // a filter is never trusted alone to decide ownership
		}
		byExt[u.ExternalID] = &ou
		order = append(order, u.ExternalID)
	}

	policy, _ := a.Mapping.Policy(propertyID)
	managed := managedGroups(policy, r)
	if len(order) < len(managed) {
		// Fewer users than groups (a property's first sync, before any
		// user is ours): each user's own group list, one call, costs
		// less than every group's member list.
		for _, ext := range order {
			ou := byExt[ext]
			groups, _, err := a.Brivo.Users.Groups(ctx, ou.BrivoID)
			if err != nil {
				return nil, brivoError("list user groups", err)
			}
			ou.GroupIDs = managedOnly(groups, managed)
		}
	} else {
		for _, g := range managed {
			members, err := a.Brivo.Groups.ListAllMembers(ctx, g)
			if err != nil {
				return nil, brivoError("list group members", err)
			}
			for _, m := range members {
				if ou := byExt[m.ExternalID]; ou != nil {
					ou.GroupIDs = append(ou.GroupIDs, g)
				}
			}
		}
	}

	out := make([]access.ObservedUser, 0, len(order))
	for _, ext := range order {
		ou := byExt[ext]
		creds, _, err := a.Brivo.Credentials.ListForUser(ctx, ou.BrivoID)
		if err != nil {
			return nil, brivoError("list credentials", err)
		}
		for _, c := range creds {
			ou.Credentials = append(ou.Credentials, access.ObservedCredential{ID: c.ID, From: c.EffectiveFrom, To: c.EffectiveTo})
		}
		slices.Sort(ou.GroupIDs)
		out = append(out, *ou)
	}
	a.Logger.Info("audited Brivo records", "propertyId", propertyID, "users", len(out))
	return out, nil
}

// readKind says why a property's Brivo records are read.
type readKind int

const (
	// readAudit: the periodic audit (or a preview). Audit reads, held to
	// the audit share of the budget.
	readAudit readKind = iota
	// readInitial: a property's first sync. Bulk work, like the writes
	// that follow.
	readInitial
	// readAgain: a worker that does not hold what the workflow last
	// applied (the plan moved to it, or it restarted) reads what it lost.
	// Not an audit the operator scheduled, and the property's applies
	// wait for it: bulk work, not held to the audit share.
	readAgain
)

// managedGroups lists the Brivo groups this property's sync manages: its
// building groups, its explicitly mapped unit groups and every group a
// current plan grants.
func managedGroups(p access.PropertyPolicy, r access.Result) []int64 {
	set := map[int64]bool{}
	for _, g := range p.BuildingGroupIDs {
		set[g] = true
	}
	for _, g := range p.Units {
		set[g] = true
	}
	for _, e := range r.Entitlements {
		for _, g := range e.Grants {
			set[g.GroupID] = true
		}
	}
	out := make([]int64, 0, len(set))
	for g := range set {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}

// propertyField returns the id of the Brivo custom field that holds a user's
// Entrata property id, creating the field definition the first time.
func (a *Activities) propertyField(ctx context.Context) (int64, error) {
	a.mu.Lock()
	id := a.fieldID
	a.mu.Unlock()
	if id != 0 {
		return id, nil
	}
	id, err := a.findField(ctx)
	if err != nil {
		return 0, err
	}
	if id == 0 {
		f, _, err := a.Brivo.CustomFields.Create(ctx, a.Config.CustomFieldName)
		if err != nil {
			// Another property's apply may have created it a moment ago:
			// "already exists" is success, so look again before failing.
			if again, lerr := a.findField(ctx); lerr == nil && again != 0 {
				return a.rememberField(again), nil
			}
			return 0, err
		}
		id = f.ID
	}
	return a.rememberField(id), nil
}

func (a *Activities) findField(ctx context.Context) (int64, error) {
	fields, _, err := a.Brivo.CustomFields.List(ctx)
	if err != nil {
		return 0, err
	}
	for _, f := range fields {
		if f.FieldName == a.Config.CustomFieldName {
			return f.ID, nil
		}
	}
	return 0, nil
}

func (a *Activities) rememberField(id int64) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fieldID = id
	return id
}
