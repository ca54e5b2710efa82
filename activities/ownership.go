package activities

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// Purposes label Brivo calls for the brivo_calls_total metric.
const (
	purposeAuditRead   = "audit-read"
	purposeInitialRead = "initial-read"
	purposeAuditRepair = "audit-repair"
	purposeTransition  = "transition"
	purposeNewResident = "new-resident"
	purposeLookup      = "lookup"
)

// observeMissing looks up, by external id, the users the desired state
// wants active that the observation lacks: a user another property manages
// (tagged with its id only), a user whose tag was removed by hand, or one a
// crashed apply created. Such a user is read in full (record, credentials,
// this property's group memberships) so the diff starts from what Brivo
// really holds, never from a create. It returns the observation with them
// added, how many it found, and the external ids it looked up in vain.
func (a *Activities) observeMissing(ctx context.Context, propertyID string, d access.Desired,
	observed []access.ObservedUser, managed []int64) ([]access.ObservedUser, int, map[string]bool, error) {
	have := make(map[string]bool, len(observed))
	for _, u := range observed {
		have[u.ExternalID] = true
	}
	untouchable := map[string]bool{}
	for _, id := range d.Untouchable {
		untouchable[id] = true
	}
	ctx = brivo.WithPurpose(ctx, purposeLookup)
	var missing []string
	for _, du := range d.Users {
		if du.Suspended || have[du.ExternalID] || untouchable[du.ExternalID] || !access.Owned(du.ExternalID) {
			continue
		}
		missing = append(missing, du.ExternalID)
	}
	existing, err := a.existingUsers(ctx, missing)
	if err != nil {
		return nil, 0, nil, err
	}
	found := 0
	absent := map[string]bool{}
	for _, ext := range missing {
		u := existing[ext]
		if u == nil {
			absent[ext] = true // a new resident: the diff creates the user
			continue
		}
		ou, err := a.observeOne(ctx, u, managed)
		if err != nil {
			return nil, 0, nil, err
		}
		observed = append(observed, ou)
		found++
	}
	return observed, found, absent, nil
}

// accountListMin is how many users a property must look up before it weighs
// one listing of the whole account against a look-up per user.
const accountListMin = 10

// existingUsers finds which of the external ids name a Brivo user, the
// cheaper of two documented ways: a look-up per id (GET
// /users/{externalId}/external), or, when it takes fewer pages than there
// are ids, one listing of every user of the account (GET /users, 100 a
// page; its first page says how many there are). The listing is what a
// property's first sync uses while the account holds few users; a look-up
// per id is what the rare resident an audit did not find under the tag
// costs. Either sees the account as it is when read: a user another
// property creates after the read is refused to this one by externalId's
// uniqueness (409, a problem for that resident alone, never a second user),
// and the next apply, which reads Brivo again, finds it.
func (a *Activities) existingUsers(ctx context.Context, exts []string) (map[string]*brivo.User, error) {
	found := map[string]*brivo.User{}
	if len(exts) >= accountListMin {
		want := make(map[string]bool, len(exts))
		for _, ext := range exts {
			want[ext] = true
		}
		listed, first := true, true
		err := a.Brivo.Users.EachPage(ctx, "", func(users []brivo.User, count int) bool {
			if pages := (count + brivo.MaxPageSize - 1) / brivo.MaxPageSize; first && pages >= len(exts) {
				listed = false // a look-up per id is cheaper
				return false
			}
			first = false
			for i := range users {
				if want[users[i].ExternalID] {
					found[users[i].ExternalID] = &users[i]
				}
			}
			return true
		})
		if err != nil {
			return nil, brivoError("list users", err)
		}
		if listed {
			return found, nil
		}
	}
	for _, ext := range exts {
		u, _, err := a.Brivo.Users.GetByExternalID(ctx, ext)
		if err != nil {
			return nil, brivoError("find user", err)
		}
		if u != nil {
			found[ext] = u
		}
	}
	return found, nil
}

// observeOne reads one user's credentials and its memberships of this
// property's managed groups (memberships elsewhere are not ours).
func (a *Activities) observeOne(ctx context.Context, u *brivo.User, managed []int64) (access.ObservedUser, error) {
	ou := a.observedUser(u)
	creds, _, err := a.Brivo.Credentials.ListForUser(ctx, u.ID)
	if err != nil {
		return ou, brivoError("list credentials", err)
	}
	for _, c := range creds {
		ou.Credentials = append(ou.Credentials, access.ObservedCredential{ID: c.ID, From: c.EffectiveFrom, To: c.EffectiveTo})
	}
	groups, _, err := a.Brivo.Users.Groups(ctx, u.ID)
	if err != nil {
		return ou, brivoError("list user groups", err)
	}
	ou.GroupIDs = managedOnly(groups, managed)
	return ou, nil
}

// managedOnly keeps, sorted, the ids of the groups among managed (sorted):
// memberships elsewhere are not this property's.
func managedOnly(groups []brivo.Group, managed []int64) []int64 {
	var out []int64
	for _, g := range groups {
		if _, ok := slices.BinarySearch(managed, g.ID); ok {
			out = append(out, g.ID)
		}
	}
	slices.Sort(out)
	return out
}

// observedUser maps a Brivo user record (without credentials or groups).
func (a *Activities) observedUser(u *brivo.User) access.ObservedUser {
	ou := access.ObservedUser{BrivoID: u.ID, ExternalID: u.ExternalID, FirstName: u.FirstName,
		LastName: u.LastName, Suspended: u.Suspended}
	if len(u.Emails) > 0 {
		ou.Email = u.Emails[0].Address
	}
	a.mu.Lock()
	field := a.fieldID
	a.mu.Unlock()
	for _, cf := range u.CustomFields {
		if (field != 0 && cf.ID == field) || (field == 0 && cf.FieldName == a.Config.CustomFieldName) {
			ou.Tag = cf.Value
		}
	}
	return ou
}

// refreshAccountWide re-reads, right before the decision, the record of
// every user a change set would narrow account-wide (suspend, shorten the
// credential window, delete) when the observation came from this worker's
// memory: another property may have started managing the person since.
func (a *Activities) refreshAccountWide(ctx context.Context, cs access.ChangeSet, observed []access.ObservedUser) error {
	need := accountWideNarrowing(cs)
	if len(need) == 0 {
		return nil
	}
	ctx = brivo.WithPurpose(ctx, purposeLookup)
	for i := range observed {
		o := &observed[i]
		if !need[o.ExternalID] || o.BrivoID == 0 {
			continue
		}
		u, _, err := a.Brivo.Users.Get(ctx, o.BrivoID)
		if err != nil {
			if errors.Is(err, brivo.ErrNotFound) {
				continue // the executor reports it and the next apply re-reads
			}
			return brivoError("read user", err)
		}
		fresh := a.observedUser(u)
		o.Tag, o.Suspended = fresh.Tag, fresh.Suspended
	}
	return nil
}

// accountWideNarrowing lists the users with a change that narrows
// account-wide state.
func accountWideNarrowing(cs access.ChangeSet) map[string]bool {
	out := map[string]bool{}
	for _, c := range cs.Changes {
		switch {
		case c.Kind == access.Suspend, c.Kind == access.DeleteUser,
			c.Kind == access.SetWindow && c.Revocation:
			out[c.ExternalID] = true
		}
	}
	return out
}

// sharedFor asks Entrata what every other property listed in a user's tag
// entitles the person to, for the users with changes in cs. Entrata is the
// source of truth; the tag only says which properties to ask. A property
// that cannot be read (error, not mapped, bad data) makes the person
// Unknown, and their account-wide state is left as it is this time.
//
// An answer is reused for a poll interval, except for a user cs would
// narrow account-wide (suspend, shorten, delete): that decision always
// asks afresh, so a lease another property has just entered is seen.
func (a *Activities) sharedFor(ctx context.Context, self string, mem *propertyMemory, cs access.ChangeSet,
	observed []access.ObservedUser, at time.Time) (map[string]access.Shared, []access.Problem) {
	changed := map[string]bool{}
	for _, c := range cs.Changes {
		changed[c.ExternalID] = true
	}
	fresh := accountWideNarrowing(cs)
	out := map[string]access.Shared{}
	var problems []access.Problem
	for _, u := range observed {
		if !changed[u.ExternalID] {
			continue
		}
		var others []string
		for _, p := range access.ParseTag(u.Tag) {
			if p != self {
				others = append(others, p)
			}
		}
		if len(others) == 0 {
			continue
		}
		key := u.ExternalID + " " + u.Tag
		if c, ok := mem.sharedCache[key]; ok && !fresh[u.ExternalID] && a.now().Sub(c.at) < a.sharedTTL() {
			out[u.ExternalID] = c.shared
			continue
		}
		cust := strings.TrimPrefix(u.ExternalID, access.Prefix)
		var s access.Shared
		for _, p := range others {
			w, ok, reason := a.entitlementAt(ctx, p, cust, at)
			if reason != "" {
				s.Unknown = true
				problems = append(problems, access.Problem{CustomerID: cust, Field: "tag",
					Reason: "property " + p + " in the Entrata Property tag: " + reason + "; account-wide state left as it is"})
				continue
			}
			if ok {
				s.Windows = append(s.Windows, w)
				if w.To == nil || at.Before(*w.To) {
					s.NamesElsewhere = s.NamesElsewhere || compareProps(p, self) < 0
				}
			}
		}
		out[u.ExternalID] = s
		if !s.Unknown {
			if mem.sharedCache == nil {
				mem.sharedCache = map[string]sharedAnswer{}
			}
			mem.sharedCache[key] = sharedAnswer{shared: s, at: a.now()}
		}
	}
	return out, problems
}

// sharedAnswer is one cached cross-property answer.
type sharedAnswer struct {
	shared access.Shared
	at     time.Time
}

// sharedTTL is how long a cross-property answer is reused: a poll interval.
func (a *Activities) sharedTTL() time.Duration {
	if a.Config.PollInterval > 0 {
		return a.Config.PollInterval
	}
	return 15 * time.Minute
}

// entitlementAt reads one customer's leases at another property and returns
// the credential window that property's policy gives them (ok false when it
// gives none); reason is set when the answer is unknown.
func (a *Activities) entitlementAt(ctx context.Context, propertyID, customerID string, at time.Time) (access.Window, bool, string) {
	policy, mapped := a.Mapping.Policy(propertyID)
	if !mapped {
		return access.Window{}, false, "not in the mapping file"
	}
	horizon := entrata.DateOf(at.In(policy.Location).Add(-a.Config.PastHorizon))
	leases, problems, _, err := a.Entrata.GetLeases(ctx, entrata.LeaseQuery{
		PropertyID: propertyID, CustomerID: customerID, MoveOutDateFrom: horizon,
		Statuses: []entrata.LeaseStatus{entrata.LeaseFuture, entrata.LeaseCurrent, entrata.LeaseNotice, entrata.LeasePast},
	})
	if err != nil {
		return access.Window{}, false, "Entrata getLeases failed"
	}
	if len(problems) > 0 {
		return access.Window{}, false, "Entrata data has problems"
	}
	var units []entrata.Unit
	for _, l := range leases {
		units = append(units, entrata.Unit{ID: l.UnitID})
	}
	r := access.Entitle(policy, units, leases, nil)
	ext := access.ExternalID(customerID)
	if slices.Contains(r.Untouchable, ext) {
		return access.Window{}, false, "Entrata data has problems"
	}
	for _, e := range r.Entitlements {
		if e.ExternalID == ext {
			return e.Window, !e.Window.Empty(), ""
		}
	}
	return access.Window{}, false, ""
}

func compareProps(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
