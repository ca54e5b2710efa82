package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// Explanation tells an operator why one person has, or lacks, access at a
// property. Names appear only reduced, and only when payloads are encrypted.
type Explanation struct {
	PropertyID string    `json:"propertyId"`
	At         time.Time `json:"at"`
	CustomerID string    `json:"customerId"`
	ExternalID string    `json:"externalId"`
	Name       string    `json:"name,omitempty"`
	// Verdict is one of current, future, past, not-entitled, held, unknown.
	Verdict string `json:"verdict"`
	// Summary says it in one sentence.
	Summary     string           `json:"summary"`
	Leases      []ExplainedLease `json:"leases"`
	Window      string           `json:"window,omitempty"`
	Grants      []ExplainedGrant `json:"grants,omitempty"`
	GroupsNow   []int64          `json:"groupsNow,omitempty"`
	Brivo       *ExplainedRecord `json:"brivo,omitempty"`
	Transitions []PreviewRow     `json:"pendingTransitions,omitempty"`
	ChangesNow  []PreviewRow     `json:"pendingChanges,omitempty"`
	Problems    []string         `json:"problems,omitempty"`
	Holds       []string         `json:"holds,omitempty"`
	Unscheduled bool             `json:"unscheduledRevocation,omitempty"`
}

// ExplainedLease is one lease Entrata returned for the person.
type ExplainedLease struct {
	LeaseID        string `json:"leaseId"`
	UnitID         string `json:"unitId"`
	Status         string `json:"leaseStatus"`
	CustomerStatus string `json:"customerStatus,omitempty"`
	Role           string `json:"role,omitempty"`
	MoveIn         string `json:"moveIn,omitempty"`
	MoveOut        string `json:"moveOut,omitempty"`
	Rule           string `json:"rule"`
}

// ExplainedGrant is one group the policy gives, and when.
type ExplainedGrant struct {
	GroupID int64  `json:"groupId"`
	Window  string `json:"window"`
	Reason  string `json:"reason"`
}

// ExplainedRecord is the person's Brivo user as read now.
type ExplainedRecord struct {
	BrivoID     int64    `json:"brivoId"`
	Suspended   bool     `json:"suspended"`
	Groups      []int64  `json:"groups"`
	Credentials []string `json:"credentials"`
	Tag         string   `json:"tag,omitempty"`
}

// Explain answers the explain command for one person, found by Entrata
// customer id or Brivo external id, from the plan this worker holds and one
// read of the person's Brivo record. It writes nothing.
func (a *Activities) Explain(ctx context.Context, in OperatorInput) (Explanation, error) {
	mem := a.memory(in.PropertyID)
	mem.mu.Lock()
	defer mem.mu.Unlock()
	if mem.plan == nil {
		return Explanation{}, errPlanNotCached(in.PropertyID)
	}
	cust := strings.TrimPrefix(strings.TrimSpace(in.Who), access.Prefix)
	ext := access.ExternalID(cust)
	at := a.now()
	r := mem.plan.result
	ex := Explanation{PropertyID: in.PropertyID, At: at.UTC(), CustomerID: cust, ExternalID: ext, Leases: []ExplainedLease{}}
	for _, l := range mem.plan.leases {
		for _, c := range l.Customers {
			if c.ID != cust {
				continue
			}
			el := ExplainedLease{LeaseID: l.ID, UnitID: l.UnitID, Status: l.Status.String(), CustomerStatus: c.Status,
				Role: c.Type, Rule: access.LeaseRule(l, c)}
			el.MoveIn, el.MoveOut = firstDate(c.MoveInDate, l.MoveInDate), firstDate(c.MoveOutDate, l.MoveOutDate)
			ex.Leases = append(ex.Leases, el)
			if a.Config.NamesInHistory && ex.Name == "" {
				ex.Name = shortName(c.FirstName, c.LastName)
			}
		}
	}
	var ent *access.Entitlement
	for i := range r.Entitlements {
		if r.Entitlements[i].ExternalID == ext {
			ent = &r.Entitlements[i]
		}
	}
	if ent != nil {
		ex.Window = formatWindow(ent.Window)
		for _, g := range ent.Grants {
			ex.Grants = append(ex.Grants, ExplainedGrant{GroupID: g.GroupID, Window: formatWindow(g.Window), Reason: g.Reason})
		}
	}
	desired := access.DesiredAt(r, at)
	desired.Users = slices.DeleteFunc(desired.Users, func(u access.DesiredUser) bool { return u.ExternalID != ext })
	if len(desired.Users) == 1 && !desired.Users[0].Suspended {
		ex.GroupsNow = desired.Users[0].GroupIDs
	}
	observed, err := a.explainRecord(ctx, in.PropertyID, ext, r, &ex)
	if err != nil {
		return Explanation{}, err
	}
	for _, t := range access.Transitions(r, at) {
		if t.ExternalID == ext {
			row := PreviewRow{At: t.At.UTC(), Who: ext, What: t.Kind, Why: transitionWhy(t.Kind)}
			if t.GroupID != 0 {
				row.Detail = fmt.Sprintf("group %d", t.GroupID)
			}
			ex.Transitions = append(ex.Transitions, row)
		}
	}
	untouchable := slices.Contains(r.Untouchable, ext)
	if !untouchable {
		cs := access.Diff(desired, observed, access.DiffOptions{InviteMobilePass: a.Config.InviteMobilePass,
			ConfirmedGone: mem.plan.confirmedGone, PropertyID: in.PropertyID, Now: at})
		for _, c := range cs.Changes {
			ex.ChangesNow = append(ex.ChangesNow, PreviewRow{At: at.UTC(), Who: ext, BrivoID: c.BrivoID,
				What: string(c.Kind), Detail: changeDetail(c), Why: changeWhy(c)})
			ex.Unscheduled = ex.Unscheduled || (c.Revocation && !c.Scheduled)
		}
	}
	leaseIDs := map[string]bool{}
	for _, l := range ex.Leases {
		leaseIDs[l.LeaseID] = true
	}
	for _, p := range r.Problems {
		if p.CustomerID == cust || (p.CustomerID == "" && leaseIDs[p.LeaseID]) {
			ex.Problems = append(ex.Problems, p.String())
		}
	}
	if untouchable {
		ex.Holds = append(ex.Holds, "Entrata's data for this person has a problem: the Brivo record is left exactly as it is until it is fixed")
	}
	if r.HoldAbsent && ent == nil && ex.Brivo != nil {
		ex.Holds = append(ex.Holds, "a record names someone whose id cannot be read: nobody is revoked for being absent until it is fixed")
	}
	ex.Verdict, ex.Summary = verdict(ex, ent, at, untouchable, in.PropertyID)
	return ex, nil
}

// explainRecord reads the person's Brivo user, if any (one lookup by
// external id, its credentials and groups).
func (a *Activities) explainRecord(ctx context.Context, propertyID, ext string, r access.Result, ex *Explanation) ([]access.ObservedUser, error) {
	ctx = brivo.WithPurpose(ctx, purposeLookup)
	u, _, err := a.Brivo.Users.GetByExternalID(ctx, ext)
	if err != nil {
		return nil, brivoError("find user", err)
	}
	if u == nil {
		return nil, nil
	}
	policy, _ := a.Mapping.Policy(propertyID)
	ou, err := a.observeOne(ctx, u, managedGroups(policy, r))
	if err != nil {
		return nil, err
	}
	rec := &ExplainedRecord{BrivoID: u.ID, Suspended: u.Suspended, Groups: ou.GroupIDs, Credentials: []string{}, Tag: ou.Tag}
	for _, c := range ou.Credentials {
		from, to := "no start", "open"
		if c.From != nil {
			from = c.From.UTC().Format(time.RFC3339)
		}
		if c.To != nil {
			to = c.To.UTC().Format(time.RFC3339)
		}
		rec.Credentials = append(rec.Credentials, fmt.Sprintf("credential %d: %s to %s", c.ID, from, to))
	}
	ex.Brivo = rec
	return []access.ObservedUser{ou}, nil
}

// firstDate is the customer's own date, else the lease's, else "".
func firstDate(own, lease entrata.Date) string {
	switch {
	case !own.IsZero():
		return own.String()
	case !lease.IsZero():
		return lease.String()
	}
	return ""
}

func verdict(ex Explanation, ent *access.Entitlement, at time.Time, untouchable bool, propertyID string) (string, string) {
	switch {
	case untouchable:
		return "held", "held: Entrata's data for " + ex.ExternalID + " has a problem, so its Brivo record is left as it is (see problems)"
	case ent != nil && !ent.Window.Empty() && at.Before(ent.Window.From):
		return "future", fmt.Sprintf("future resident: access opens at %s (window %s); the Brivo user is provisioned ahead",
			ent.Window.From.UTC().Format(time.RFC3339), formatWindow(ent.Window))
	case ent != nil && !ent.Window.Empty() && (ent.Window.To == nil || at.Before(*ent.Window.To)):
		return "current", fmt.Sprintf("current resident: access now, window %s, groups %v", formatWindow(ent.Window), ex.GroupsNow)
	case ent != nil && ent.Window.To != nil:
		return "past", "past resident: access ended at " + ent.Window.To.UTC().Format(time.RFC3339) +
			"; the Brivo user, if any, is suspended (unless another property entitles them) and leaves this property's groups"
	case ent != nil || len(ex.Leases) > 0:
		return "past", "past resident or not entitled: no lease here grants access now (see each lease's rule); " +
			"the Brivo user, if any, is treated as absent"
	case ex.Brivo != nil:
		return "not-entitled", fmt.Sprintf("Entrata returned no lease for customer %s at property %s; Brivo user %d is treated as absent",
			ex.CustomerID, propertyID, ex.Brivo.BrivoID)
	}
	return "unknown", fmt.Sprintf("unknown: Entrata returned no lease for customer %s at property %s (including Past leases of the last 30 days), and Brivo has no user %s",
		ex.CustomerID, propertyID, ex.ExternalID)
}
