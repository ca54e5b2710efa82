package access

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// # Ownership across properties
//
// One Brivo user serves a person in every property of the account, and
// suspension, credential windows, names and deletion are account-wide. The
// "Entrata Property" custom field (the tag) lists every property that
// manages the person: exactly "10" for one property, ",10,100," (sorted,
// with a comma on each side) for several, so that a property finds its users
// with an exact filter ("10") and a contains filter on its delimited token
// (",10,"), and checks the value of every user returned. Each property
// writes only its own id in or out of the tag. The tag is a directory, not
// the decision: before a property changes a person's account-wide state, it
// reads the tag afresh and asks Entrata (the source of truth) what every
// other property listed there entitles the person to. Account-wide state
// then follows the union (Shared): the credential window is the hull of all
// the properties' windows, the user is suspended only when every window is
// over, and names are kept by the property with the smallest id.

// tagSep delimits the ids of a tag that lists more than one property.
const tagSep = ","

// FormatTag returns the tag value for a set of property ids: the id itself
// for one, ",a,b," for several (sorted, numerically when the ids are
// numbers), "" for none.
func FormatTag(props []string) string {
	ps := normProps(props)
	switch len(ps) {
	case 0:
		return ""
	case 1:
		return ps[0]
	}
	return tagSep + strings.Join(ps, tagSep) + tagSep
}

// ParseTag returns the property ids a tag value lists, sorted.
func ParseTag(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	return normProps(strings.Split(v, tagSep))
}

// TagLists reports whether the tag value lists propertyID exactly: "10"
// never matches a tag of "100" or ",210,".
func TagLists(v, propertyID string) bool {
	return slices.Contains(ParseTag(v), propertyID)
}

// TagToken is the contains-filter value that finds propertyID in a tag that
// lists several properties.
func TagToken(propertyID string) string { return tagSep + propertyID + tagSep }

func normProps(props []string) []string {
	var out []string
	for _, p := range props {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, compareIDs)
	return slices.Compact(out)
}

// compareIDs orders ids numerically when both are digits of any length.
func compareIDs(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b))
}

// Shared is what the other properties of the account entitle one person to,
// as Entrata says.
type Shared struct {
	// Windows are the credential windows other properties give the person.
	Windows []Window
	// Unknown is set when another property's entitlement could not be read
	// (Entrata failed, the property is not mapped, its data is bad): the
	// person's account-wide state is then left exactly as it is.
	Unknown bool
	// NamesElsewhere is set when another entitling property has a smaller
	// id: that property keeps the person's names, so they never flap.
	NamesElsewhere bool
}

// ActiveAt reports whether another property entitles the person at or after
// now (or might: Unknown).
func (s Shared) ActiveAt(now time.Time) bool {
	if s.Unknown {
		return true
	}
	for _, w := range s.Windows {
		if !w.Empty() && (w.To == nil || now.Before(*w.To)) {
			return true
		}
	}
	return false
}

// DesiredAtShared is DesiredAt for an account where some people are also
// entitled by other properties. For each person in shared the credential
// window becomes the hull of every property's windows, the user is
// suspended only when all of them are over, and this property's groups are
// pre-provisioned before its own move-in only when no other property's
// window opens the credential earlier (otherwise the shared credential
// cannot gate them, and the move-in timer adds them at the instant). A
// person whose other entitlements are Unknown is left untouched.
func DesiredAtShared(r Result, now time.Time, shared map[string]Shared) Desired {
	d := DesiredAt(r, now)
	if len(shared) == 0 {
		return d
	}
	ents := make(map[string]*Entitlement, len(r.Entitlements))
	for i := range r.Entitlements {
		ents[r.Entitlements[i].ExternalID] = &r.Entitlements[i]
	}
	for i := range d.Users {
		u := &d.Users[i]
		s, ok := shared[u.ExternalID]
		e := ents[u.ExternalID]
		if !ok || e == nil {
			continue
		}
		if s.Unknown {
			d.Untouchable = append(d.Untouchable, u.ExternalID)
			continue
		}
		u.KeepNames = s.NamesElsewhere
		union, any := unionWindow(append([]Window{e.Window}, s.Windows...))
		if !any || (union.To != nil && !now.Before(*union.To)) {
			if any {
				u.Window = union
			}
			u.Suspended, u.GroupIDs = true, nil
			continue
		}
		u.Window, u.Suspended = union, false
		at := now
		if now.Before(e.Window.From) && !union.From.Before(e.Window.From) {
			at = e.Window.From
		}
		u.GroupIDs = nil
		if !e.Window.Empty() {
			u.GroupIDs = activeGroups(e.Grants, at)
		}
	}
	slices.Sort(d.Untouchable)
	d.Untouchable = slices.Compact(d.Untouchable)
	return d
}

// unionWindow is the hull of the non-empty windows; false when there is none.
func unionWindow(ws []Window) (Window, bool) {
	var out Window
	found := false
	for _, w := range ws {
		if w.Empty() {
			continue
		}
		if !found {
			out, found = w, true
			continue
		}
		out = hull(out, w)
	}
	return out, found
}

// withTag adds the change that keeps a user's tag listing this property
// (want) or no longer listing it (!want). Adding comes first, so a user we
// manage is findable before anything else is written; removing comes last.
func withTag(changes []Change, ext string, u *ObservedUser, want bool, propertyID string) []Change {
	if propertyID == "" || slices.ContainsFunc(changes, func(c Change) bool { return c.Kind == DeleteUser }) {
		return changes
	}
	if u == nil {
		i := slices.IndexFunc(changes, func(c Change) bool { return c.Kind == CreateUser })
		if i < 0 {
			return changes
		}
		tag := Change{Kind: SetTag, ExternalID: ext, Tag: FormatTag([]string{propertyID})}
		return slices.Insert(changes, i+1, tag)
	}
	props := ParseTag(u.Tag)
	if want {
		props = append(props, propertyID)
	} else {
		props = slices.DeleteFunc(props, func(p string) bool { return p == propertyID })
	}
	value := FormatTag(props)
	if value == u.Tag {
		return changes
	}
	tag := Change{Kind: SetTag, ExternalID: ext, BrivoID: u.BrivoID, Tag: value}
	if want {
		return append([]Change{tag}, changes...)
	}
	return append(changes, tag)
}
