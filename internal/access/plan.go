package access

import (
	"cmp"
	"slices"
	"time"
)

// DesiredUser is the Brivo state one entitlement calls for at an instant.
// Names and e-mail are personal data: never log them.
type DesiredUser struct {
	ExternalID string
	CustomerID string
	FirstName  string
	LastName   string
	Email      string
	// GroupIDs are sorted.
	GroupIDs []int64
	// Window is the credential window: always the entitlement's window.
	Window    Window
	Suspended bool
	// KeepNames leaves names and e-mail as Brivo has them: another
	// property that entitles the person keeps them (see Shared).
	KeepNames bool
}

// Desired is the Brivo state the policy calls for at an instant.
type Desired struct {
	// Users are sorted by ExternalID.
	Users []DesiredUser
	// Untouchable external ids are left exactly as they are in Brivo.
	Untouchable []string
	// HoldAbsent leaves users absent from Users as they are (see
	// Result.HoldAbsent); only a confirmed deletion still applies.
	HoldAbsent bool
}

// Transition kinds.
const (
	KindMoveIn      = "move-in"
	KindMoveOut     = "move-out"
	KindGroupAdd    = "group-add"
	KindGroupRemove = "group-remove"
)

// Transition is an instant at which one user's desired state changes
// (move-in is listed for information: the user is provisioned before it).
type Transition struct {
	At         time.Time
	ExternalID string
	Kind       string
	GroupID    int64
}

// DesiredAt returns the desired Brivo state at now: before a user's window
// the groups active at its start (pre-provisioned; the credential window
// gates entry), inside it the groups whose grants contain now, at or after
// its end suspended with no groups.
func DesiredAt(r Result, now time.Time) Desired {
	d := Desired{Users: make([]DesiredUser, 0, len(r.Entitlements)), Untouchable: slices.Clone(r.Untouchable),
		HoldAbsent: r.HoldAbsent}
	for _, e := range r.Entitlements {
		u := DesiredUser{ExternalID: e.ExternalID, CustomerID: e.CustomerID, FirstName: e.FirstName,
			LastName: e.LastName, Email: e.Email, Window: e.Window}
		switch {
		case e.Window.Empty() || (e.Window.To != nil && !now.Before(*e.Window.To)):
			u.Suspended = true
		default:
			at := now
			if now.Before(e.Window.From) {
				at = e.Window.From
			}
			u.GroupIDs = activeGroups(e.Grants, at)
		}
		d.Users = append(d.Users, u)
	}
	return d
}

func activeGroups(grants []Grant, at time.Time) []int64 {
	var ids []int64
	for _, g := range grants {
		if g.Window.Contains(at) && !slices.Contains(ids, g.GroupID) {
			ids = append(ids, g.GroupID)
		}
	}
	slices.Sort(ids)
	return ids
}

// Transitions lists, sorted by (At, ExternalID, Kind, GroupID) and without
// duplicates, the changes strictly after now. DesiredAt is constant between
// two consecutive instants of the list.
func Transitions(r Result, now time.Time) []Transition {
	var ts []Transition
	add := func(at time.Time, ext, kind string, g int64) {
		if at.After(now) {
			ts = append(ts, Transition{At: at, ExternalID: ext, Kind: kind, GroupID: g})
		}
	}
	for _, e := range r.Entitlements {
		w := e.Window
		if w.Empty() {
			continue
		}
		add(w.From, e.ExternalID, KindMoveIn, 0)
		if w.To != nil {
			add(*w.To, e.ExternalID, KindMoveOut, 0)
		}
		for _, g := range e.Grants {
			if g.Window.From.After(w.From) {
				add(g.Window.From, e.ExternalID, KindGroupAdd, g.GroupID)
			}
			if g.Window.To != nil && endsBefore(g.Window.To, w.To) {
				add(*g.Window.To, e.ExternalID, KindGroupRemove, g.GroupID)
			}
		}
	}
	slices.SortFunc(ts, compareTransitions)
	return slices.CompactFunc(ts, func(a, b Transition) bool { return compareTransitions(a, b) == 0 })
}

func compareTransitions(a, b Transition) int {
	return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ExternalID, b.ExternalID),
		cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.GroupID, b.GroupID))
}

// NextInstants returns the next n distinct instants of Transitions after
// now, sorted; n <= 0 means all of them. The workflow sleeps until the first.
func NextInstants(r Result, now time.Time, n int) []time.Time {
	var out []time.Time
	for _, t := range Transitions(r, now) {
		if len(out) > 0 && out[len(out)-1].Equal(t.At) {
			continue
		}
		if n > 0 && len(out) == n {
			break
		}
		out = append(out, t.At)
	}
	return out
}
