package access

import (
	"fmt"
	"slices"
)

// diffUser lists one desired user's changes in a safe order.
func diffUser(d *DesiredUser, u *ObservedUser, o DiffOptions) ([]Change, *Problem) {
	var problem *Problem
	want := normGroups(d.GroupIDs)
	if len(want) > o.MaxGroups {
		problem = &Problem{CustomerID: d.CustomerID, Field: "groups", Reason: fmt.Sprintf(
			"%s needs %d Brivo groups, more than the %d a user may have; its groups are left unchanged",
			d.ExternalID, len(want), o.MaxGroups)}
		want = nil
	}
	if u == nil {
		return createUser(d, want, o), problem
	}
	var have []int64
	if problem == nil {
		have = normGroups(u.GroupIDs)
	}
	base := Change{ExternalID: d.ExternalID, BrivoID: u.BrivoID}
	user := *d
	user.GroupIDs = slices.Clone(d.GroupIDs)
	var out []Change
	if !d.KeepNames && (u.FirstName != d.FirstName || u.LastName != d.LastName || u.Email != d.Email) {
		c := base
		c.Kind, c.User = PatchUser, &user
		out = append(out, c)
	}
	add, remove := setDiff(want, have), setDiff(have, want)
	if problem != nil {
		add, remove = nil, nil
	}
	// While the user is suspended (and until it is unsuspended, last) no
	// change removes access it has.
	active := !u.Suspended
	groups := Change{ExternalID: d.ExternalID, BrivoID: u.BrivoID, Kind: ChangeGroups,
		AddGroups: add, RemoveGroups: remove, Revocation: active && len(remove) > 0, Scheduled: true}
	var narrow, widen []Change
	for _, cr := range sortedCredentials(u.Credentials) {
		cur := Window{To: cr.To}
		if cr.From != nil {
			cur.From = *cr.From
		}
		if cr.From != nil && cur.Equal(d.Window) {
			continue
		}
		w := d.Window
		c := Change{ExternalID: d.ExternalID, BrivoID: u.BrivoID, Kind: SetWindow, CredentialID: cr.ID,
			Window: &w, Scheduled: true}
		if narrows(cr, d.Window) {
			c.Revocation = active
			narrow = append(narrow, c)
		} else {
			widen = append(widen, c)
		}
	}
	if d.Suspended {
		if active {
			c := base
			c.Kind, c.Revocation, c.Scheduled = Suspend, true, true
			out = append(out, c)
		}
		groups.Revocation = false
		if len(add)+len(remove) > 0 {
			out = append(out, groups)
		}
		for _, c := range append(narrow, widen...) {
			c.Revocation = false
			out = append(out, c)
		}
		return out, problem
	}
	// Narrowing before widening, so that no prefix lets anyone in where
	// neither the old nor the new state would: group removals, then the
	// windows (each set straight to the desired one: with only the groups
	// both states share, any instant of it is one the new state allows),
	// then the new pass, then group additions, then unsuspend. A swap of
	// groups with no window change (or on a user suspended until the end)
	// is one atomic call, so a transferring resident is never without a
	// door.
	swap := len(add) > 0 && len(remove) > 0 && (len(narrow)+len(widen) == 0 || u.Suspended)
	if swap {
		out = append(out, groups)
	} else if len(remove) > 0 {
		c := groups
		c.AddGroups = nil
		out = append(out, c)
	}
	out = append(out, narrow...)
	out = append(out, widen...)
	// A new pass before any group is added, for the reason in createUser,
	// and after the removals: it gets the new window at once.
	if o.InviteMobilePass && d.Email != "" && len(u.Credentials) == 0 && !u.PendingInvitation {
		c := base
		w := d.Window
		c.Kind, c.Window = InviteMobilePass, &w
		out = append(out, c)
	}
	if !swap && len(add) > 0 {
		c := groups
		c.RemoveGroups, c.Revocation = nil, false
		out = append(out, c)
	}
	if u.Suspended {
		c := base
		c.Kind = Unsuspend
		out = append(out, c)
	}
	return out, problem
}

// createUser provisions a user Brivo does not have yet; a user whose window
// is over (a former resident never seen) is not created.
func createUser(d *DesiredUser, groups []int64, o DiffOptions) []Change {
	if d.Suspended {
		return nil
	}
	user := *d
	user.GroupIDs = slices.Clone(groups)
	w := d.Window
	out := []Change{{Kind: CreateUser, ExternalID: d.ExternalID, User: &user, Window: &w}}
	// The pass comes before the groups: Brivo issues it with no window and
	// the executor narrows it at once, so it must not meet a group until
	// then, or a future resident could open a door for that instant.
	if o.InviteMobilePass && d.Email != "" {
		out = append(out, Change{Kind: InviteMobilePass, ExternalID: d.ExternalID, Window: &w})
	}
	if len(groups) > 0 {
		out = append(out, Change{Kind: ChangeGroups, ExternalID: d.ExternalID, AddGroups: slices.Clone(groups)})
	}
	return out
}

// narrows reports whether setting want on the credential shortens its
// window at either end.
func narrows(cr ObservedCredential, want Window) bool {
	if cr.From == nil || want.From.After(*cr.From) {
		return true
	}
	return endsBefore(want.To, cr.To)
}

func sortedCredentials(cs []ObservedCredential) []ObservedCredential {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b ObservedCredential) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

// setDiff returns the sorted elements of a not in b (both sorted).
func setDiff(a, b []int64) []int64 {
	var out []int64
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, x)
		}
	}
	return out
}
