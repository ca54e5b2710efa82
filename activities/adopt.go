package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
)

// purposeAdoption labels the Brivo calls of an adoption.
const purposeAdoption = "adoption"

// ProposeAdoption lists, without writing anything, the hand-made Brivo users
// of the property's managed groups that match entitled residents, the
// ambiguous ones and those not in Entrata.
func (a *Activities) ProposeAdoption(ctx context.Context, in OperatorInput) (AdoptionReport, error) {
	mem := a.memory(in.PropertyID)
	mem.mu.Lock()
	defer mem.mu.Unlock()
	if mem.plan == nil {
		return AdoptionReport{}, errPlanNotCached(in.PropertyID)
	}
	return a.proposeAdoption(ctx, in.PropertyID, mem, a.now())
}

// AdoptUsers takes over the matched hand-made users: it writes the external
// id with PATCH /users/{id} (never PUT, which would erase the rest of the
// record) and the property tag with PUT /users/{id}/custom-fields/{fieldId}.
// Credentials, cards, mobile passes and groups stay as they are; from then on
// the sync manages the users, and creates no second user and sends no second
// invitation. Ambiguous and unmatched users are never touched. A retry reads
// Brivo again: a user adopted already is no longer hand-made, and a missing
// tag is put back by the next audit.
func (a *Activities) AdoptUsers(ctx context.Context, in OperatorInput) (AdoptionApplyResult, error) {
	hb := startHeartbeats(ctx, nil)
	defer hb.close()
	mem := a.memory(in.PropertyID)
	mem.mu.Lock()
	defer mem.mu.Unlock()
	if mem.plan == nil {
		return AdoptionApplyResult{}, errPlanNotCached(in.PropertyID)
	}
	prop, err := a.proposeAdoption(ctx, in.PropertyID, mem, a.now())
	if err != nil {
		return AdoptionApplyResult{}, err
	}
	ctx = brivo.WithPriority(brivo.WithPurpose(ctx, purposeAdoption), brivo.PriorityBulk)
	field, err := a.propertyField(ctx)
	if err != nil {
		return AdoptionApplyResult{}, brivoError("custom fields", err)
	}
	res := AdoptionApplyResult{Ambiguous: len(prop.Ambiguous), NotInEntrata: len(prop.NotInEntrata)}
	// Whatever happens next, this worker no longer knows what Brivo holds:
	// the next apply reads it.
	mem.believed = nil
	for _, m := range prop.Matches {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		skip, err := a.adoptOne(ctx, in.PropertyID, field, m)
		if err != nil {
			return res, err
		}
		if skip != "" {
			res.Skipped++
			if len(res.SkippedSample) < MaxSample {
				res.SkippedSample = append(res.SkippedSample, fmt.Sprintf("Brivo user %d: %s", m.BrivoID, skip))
			}
			continue
		}
		res.Adopted++
		if len(res.AdoptedSample) < MaxSample {
			res.AdoptedSample = append(res.AdoptedSample, fmt.Sprintf("%s (Brivo user %d, by %s)", m.ExternalID, m.BrivoID, m.By))
		}
	}
	activity.GetLogger(ctx).Info("Adopted hand-made Brivo users", "PropertyID", in.PropertyID,
		"Adopted", res.Adopted, "Skipped", res.Skipped, "Ambiguous", res.Ambiguous, "NotInEntrata", res.NotInEntrata)
	return res, nil
}

// adoptOne writes one match; it returns why it was skipped, if it was.
func (a *Activities) adoptOne(ctx context.Context, propertyID string, field int64, m AdoptionRow) (string, error) {
	if other, _, err := a.Brivo.Users.GetByExternalID(ctx, m.ExternalID); err != nil {
		return "", brivoError("find user", err)
	} else if other != nil && other.ID != m.BrivoID {
		return "another Brivo user already has " + m.ExternalID, nil
	}
	u, _, err := a.Brivo.Users.Get(ctx, m.BrivoID)
	if errors.Is(err, brivo.ErrNotFound) {
		return "deleted since the proposal", nil
	}
	if err != nil {
		return "", brivoError("read user", err)
	}
	if u.ExternalID != "" && u.ExternalID != m.ExternalID {
		return "its external id changed since the proposal", nil
	}
	if u.ExternalID == "" {
		ext := m.ExternalID
		if _, _, err := a.Brivo.Users.Patch(ctx, m.BrivoID, &brivo.UserPatch{ExternalID: &ext}); err != nil {
			return "", brivoError("patch user", err)
		}
	}
	tag := ""
	for _, cf := range u.CustomFields {
		if cf.ID == field {
			tag = cf.Value
		}
	}
	want := access.FormatTag(append(access.ParseTag(tag), propertyID))
	if want != tag {
		if _, _, err := a.Brivo.Users.SetCustomField(ctx, m.BrivoID, field, want); err != nil {
			return "", brivoError("set custom field", err)
		}
	}
	return "", nil
}

// proposeAdoption reads the hand-made users of the property's managed groups
// and matches them to the residents the plan entitles now or later. It
// writes nothing. The lock of mem is held.
func (a *Activities) proposeAdoption(ctx context.Context, propertyID string, mem *propertyMemory, at time.Time) (AdoptionReport, error) {
	ctx = brivo.WithPriority(brivo.WithPurpose(ctx, purposeAuditRead), brivo.PriorityAudit)
	policy, _ := a.Mapping.Policy(propertyID)
	result := mem.plan.result
	hasUser := map[string]bool{}
	handMade := map[int64]*access.HandMadeUser{}
	var names = map[int64]string{}
	for _, g := range managedGroups(policy, result) {
		members, err := a.Brivo.Groups.ListAllMembers(ctx, g)
		if err != nil {
			return AdoptionReport{}, brivoError("list group members", err)
		}
		for _, m := range members {
			if access.Owned(m.ExternalID) {
				hasUser[m.ExternalID] = true
				continue
			}
			if m.ExternalID != "" {
				continue // another integration's user: never ours to adopt
			}
			h := handMade[m.ID]
			if h == nil {
				h = &access.HandMadeUser{BrivoID: m.ID, FirstName: m.FirstName, LastName: m.LastName}
				for _, e := range m.Emails {
					h.Emails = append(h.Emails, e.Address)
				}
				handMade[m.ID] = h
				if a.Config.NamesInHistory {
					names[m.ID] = shortName(m.FirstName, m.LastName)
				}
			}
			h.GroupIDs = append(h.GroupIDs, g)
		}
	}
	if field, err := a.findField(ctx); err != nil {
		return AdoptionReport{}, brivoError("custom fields", err)
	} else if field != 0 {
		for _, list := range []func() ([]brivo.User, error){
			func() ([]brivo.User, error) { return a.Brivo.Users.ListByCustomField(ctx, field, propertyID) },
			func() ([]brivo.User, error) {
				return a.Brivo.Users.ListByCustomFieldContaining(ctx, field, access.TagToken(propertyID))
			},
		} {
			users, err := list()
			if err != nil {
				return AdoptionReport{}, brivoError("list users", err)
			}
			for _, u := range users {
				if access.Owned(u.ExternalID) {
					hasUser[u.ExternalID] = true
				}
			}
		}
	}
	residents := adoptionResidents(result, at, hasUser)
	users := make([]access.HandMadeUser, 0, len(handMade))
	for _, h := range handMade {
		users = append(users, *h)
	}
	p := access.ProposeAdoption(residents, users)
	rep := AdoptionReport{PropertyID: propertyID, Matches: []AdoptionRow{}, Ambiguous: []AdoptionRow{}, NotInEntrata: []AdoptionRow{}}
	for _, m := range p.Matches {
		rep.Matches = append(rep.Matches, AdoptionRow{BrivoID: m.BrivoID, Name: names[m.BrivoID], ExternalID: m.ExternalID, By: m.By})
		if m.By == access.MatchByEmail {
			rep.Counts.ByEmail++
		} else {
			rep.Counts.ByName++
		}
	}
	for _, m := range p.Ambiguous {
		rep.Ambiguous = append(rep.Ambiguous, AdoptionRow{BrivoID: m.BrivoID, Name: names[m.BrivoID], Candidates: m.Candidates, Reason: m.Reason})
	}
	for _, id := range p.NotInEntrata {
		rep.NotInEntrata = append(rep.NotInEntrata, AdoptionRow{BrivoID: id, Name: names[id],
			Reason: "not in Entrata: no entitled resident has this e-mail or name; review it, it is never revoked automatically"})
	}
	rep.Counts.Matches, rep.Counts.Ambiguous, rep.Counts.NotInEntrata = len(rep.Matches), len(rep.Ambiguous), len(rep.NotInEntrata)
	return rep, nil
}

// adoptionResidents are the residents the plan entitles now or later, with
// the groups of their units.
func adoptionResidents(r access.Result, at time.Time, hasUser map[string]bool) []access.AdoptionResident {
	var out []access.AdoptionResident
	for _, e := range r.Entitlements {
		if e.Window.Empty() || (e.Window.To != nil && !at.Before(*e.Window.To)) {
			continue
		}
		res := access.AdoptionResident{ExternalID: e.ExternalID, FirstName: e.FirstName, LastName: e.LastName,
			Email: e.Email, HasUser: hasUser[e.ExternalID]}
		for _, g := range e.Grants {
			if strings.Contains(g.Reason, "unit ") && !slices.Contains(res.UnitGroupIDs, g.GroupID) {
				res.UnitGroupIDs = append(res.UnitGroupIDs, g.GroupID)
			}
		}
		out = append(out, res)
	}
	return out
}
