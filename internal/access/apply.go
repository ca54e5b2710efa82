package access

import (
	"slices"
	"time"
)

// Apply simulates a change set on the observed users, purely: it is how
// tests check that Diff(d, Apply(obs, Diff(d, obs))) is empty. Created users
// get the next free Brivo ids; an invitation becomes a pending invitation.
func Apply(observed []ObservedUser, cs ChangeSet) []ObservedUser {
	out := make([]ObservedUser, len(observed))
	var next int64
	for i, u := range observed {
		u.GroupIDs = slices.Clone(u.GroupIDs)
		u.Credentials = slices.Clone(u.Credentials)
		out[i] = u
		next = max(next, u.BrivoID)
	}
	find := func(c Change) int {
		return slices.IndexFunc(out, func(u ObservedUser) bool {
			if c.BrivoID != 0 {
				return u.BrivoID == c.BrivoID
			}
			return u.ExternalID == c.ExternalID
		})
	}
	for _, c := range cs.Changes {
		if c.Kind == CreateUser {
			next++
			out = append(out, ObservedUser{BrivoID: next, ExternalID: c.ExternalID,
				FirstName: c.User.FirstName, LastName: c.User.LastName, Email: c.User.Email})
			continue
		}
		i := find(c)
		if i < 0 {
			continue
		}
		u := &out[i]
		switch c.Kind {
		case PatchUser:
			u.FirstName, u.LastName, u.Email = c.User.FirstName, c.User.LastName, c.User.Email
		case ChangeGroups:
			g := slices.DeleteFunc(u.GroupIDs, func(id int64) bool { return slices.Contains(c.RemoveGroups, id) })
			u.GroupIDs = normGroups(append(g, c.AddGroups...))
		case SetWindow:
			for j := range u.Credentials {
				if u.Credentials[j].ID == c.CredentialID {
					u.Credentials[j].From = ptr(c.Window.From)
					u.Credentials[j].To = copyTime(c.Window.To)
				}
			}
		case Suspend:
			u.Suspended = true
		case Unsuspend:
			u.Suspended = false
		case InviteMobilePass:
			u.PendingInvitation = true
		case SetTag:
			u.Tag = c.Tag
		case DeleteUser:
			out = slices.Delete(out, i, i+1)
		}
	}
	return out
}

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return ptr(*t)
}
