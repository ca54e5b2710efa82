package access

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// ObservedUser is a Brivo user as read from Brivo. Names and e-mail are
// personal data: never log them.
type ObservedUser struct {
	BrivoID           int64
	ExternalID        string
	FirstName         string
	LastName          string
	Email             string
	Suspended         bool
	GroupIDs          []int64
	Credentials       []ObservedCredential
	PendingInvitation bool
	// Tag is the raw value of the "Entrata Property" custom field: the
	// properties that manage the person (see FormatTag); "" when unset.
	Tag string
}

// ObservedCredential is a credential assigned to a user, with its access
// window (nil bounds are open).
type ObservedCredential struct {
	ID       int64
	From, To *time.Time
}

// ChangeKind names one Brivo operation.
type ChangeKind string

// Change kinds, each one Brivo call (or, for create-user, one POST).
const (
	CreateUser       ChangeKind = "create-user"
	PatchUser        ChangeKind = "patch-user"
	SetWindow        ChangeKind = "set-window"
	ChangeGroups     ChangeKind = "change-groups"
	Suspend          ChangeKind = "suspend"
	Unsuspend        ChangeKind = "unsuspend"
	InviteMobilePass ChangeKind = "invite-mobile-pass"
	DeleteUser       ChangeKind = "delete-user"
	// SetTag writes the "Entrata Property" custom field
	// (PUT /users/{id}/custom-fields/{fieldId}) to Tag.
	SetTag ChangeKind = "set-tag"
)

// Change is one operation on one Brivo user.
type Change struct {
	Kind       ChangeKind
	ExternalID string
	// BrivoID is 0 for create-user and for changes to a user it creates.
	BrivoID int64
	// User carries the desired fields for create-user and patch-user.
	User *DesiredUser
	// AddGroups and RemoveGroups are one atomic change-groups, sorted.
	AddGroups, RemoveGroups []int64
	// CredentialID is the credential a set-window changes.
	CredentialID int64
	// Window is the credential window for set-window, and for create-user
	// and invite-mobile-pass: the executor assigns the invited credential
	// with it, so a new credential never opens before move-in.
	Window *Window
	// Revocation is set when the change removes access the user has now.
	Revocation bool
	// Scheduled is set on revocations driven by known Entrata data (a
	// move-out, a group change), as opposed to the user's absence.
	Scheduled bool
	// Tag is the value set-tag writes.
	Tag string
}

// DefaultMaxGroups is Brivo's limit on a user's group memberships.
const DefaultMaxGroups = 16

// DiffOptions tune Diff.
type DiffOptions struct {
	// ConfirmedGone are external ids Entrata confirmed deleted; only these
	// are deleted from Brivo.
	ConfirmedGone map[string]bool
	// MaxGroups defaults to DefaultMaxGroups.
	MaxGroups int
	// InviteMobilePass sends a mobile-pass invitation to users with an
	// e-mail and neither a credential nor a pending invitation.
	InviteMobilePass bool
	// PropertyID, when set, makes Diff keep each user's tag listing this
	// property while the plan has the person, and take it out when the
	// person is absent and still managed by another property.
	PropertyID string
	// Shared says, per external id, what other properties entitle the
	// person to. A user we own who is absent from the desired state but
	// whom another property entitles (Shared.ActiveAt Now) loses only this
	// property's groups: never suspended, never deleted.
	Shared map[string]Shared
	// Now is the instant Shared is judged at.
	Now time.Time
}

// ChangeSet is the ordered list of changes that brings Brivo to the desired
// state, and the per-user problems that kept some changes out of it.
type ChangeSet struct {
	Changes  []Change
	Problems []Problem
}

// Diff computes the minimal, ordered changes from the observed Brivo users to
// the desired state (see the package documentation for the rules and the
// order). Users without Prefix and Untouchable users are never touched.
func Diff(d Desired, observed []ObservedUser, o DiffOptions) ChangeSet {
	if o.MaxGroups <= 0 {
		o.MaxGroups = DefaultMaxGroups
	}
	var cs ChangeSet
	untouchable := map[string]bool{}
	for _, id := range d.Untouchable {
		untouchable[id] = true
	}
	obs := map[string]*ObservedUser{}
	dupes := map[string]bool{}
	for i := range observed {
		u := &observed[i]
		if !Owned(u.ExternalID) || untouchable[u.ExternalID] {
			continue
		}
		if obs[u.ExternalID] != nil {
			dupes[u.ExternalID] = true
		}
		obs[u.ExternalID] = u
	}
	for _, id := range sortedKeys(dupes) {
		cs.Problems = append(cs.Problems, Problem{Field: "externalId",
			Reason: fmt.Sprintf("%s is on more than one Brivo user; none of them is changed", id)})
	}
	var perUser [][]Change
	wanted := map[string]bool{}
	for i := range d.Users {
		u := &d.Users[i]
		if !Owned(u.ExternalID) || untouchable[u.ExternalID] || dupes[u.ExternalID] || wanted[u.ExternalID] {
			continue
		}
		wanted[u.ExternalID] = true
		changes, problem := diffUser(u, obs[u.ExternalID], o)
		if problem != nil {
			cs.Problems = append(cs.Problems, *problem)
		}
		perUser = append(perUser, withTag(changes, u.ExternalID, obs[u.ExternalID], true, o.PropertyID))
	}
	for _, id := range sortedKeys(obs) {
		if !wanted[id] && !dupes[id] && (!d.HoldAbsent || o.ConfirmedGone[id]) {
			elsewhere := o.Shared[id].ActiveAt(o.Now)
			changes := revokeAbsent(obs[id], o.ConfirmedGone[id] && !elsewhere, elsewhere)
			perUser = append(perUser, withTag(changes, id, obs[id], !elsewhere, o.PropertyID))
		}
	}
	cs.Changes = order(perUser)
	return cs
}

// order puts every user's changes before its first revocation first, then
// the rest, each part sorted by external id with each user's order kept.
func order(perUser [][]Change) []Change {
	slices.SortStableFunc(perUser, func(a, b []Change) int {
		return cmp.Compare(firstExt(a), firstExt(b))
	})
	var grants, revocations []Change
	for _, cs := range perUser {
		i := slices.IndexFunc(cs, func(c Change) bool { return c.Revocation })
		if i < 0 {
			i = len(cs)
		}
		grants = append(grants, cs[:i]...)
		revocations = append(revocations, cs[i:]...)
	}
	return append(grants, revocations...)
}

func firstExt(cs []Change) string {
	if len(cs) == 0 {
		return ""
	}
	return cs[0].ExternalID
}

// revokeAbsent handles a user we own that the desired state no longer has.
// When another property still entitles the person (elsewhere), only this
// property's groups go: suspension and deletion are account-wide.
func revokeAbsent(u *ObservedUser, confirmedGone, elsewhere bool) []Change {
	base := Change{ExternalID: u.ExternalID, BrivoID: u.BrivoID, Revocation: !u.Suspended}
	if confirmedGone {
		c := base
		c.Kind = DeleteUser
		return []Change{c}
	}
	var out []Change
	if !u.Suspended && !elsewhere {
		c := base
		c.Kind = Suspend
		out = append(out, c)
	}
	if groups := normGroups(u.GroupIDs); len(groups) > 0 {
		c := base
		c.Kind, c.RemoveGroups = ChangeGroups, groups
		out = append(out, c)
	}
	return out
}

func normGroups(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
