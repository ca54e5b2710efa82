package access

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Adoption connects a property whose residents were entered in Brivo by hand
// before the sync: it matches those hand-made users (no Prefix external id)
// to the residents Entrata entitles, so the sync takes them over instead of
// creating a second user and sending a second mobile-pass invitation.
//
// The rules, in order:
//   - by e-mail: any of the user's addresses equals the resident's, trimmed
//     and case-insensitive; an address two residents share matches neither;
//   - then, for a user no e-mail matched, by first and last name (trimmed,
//     case-insensitive) together with membership of that resident's unit
//     group; a name match without the unit group is never adopted;
//   - a resident claimed by two users, a user matching two residents, and a
//     resident who already has a user the sync manages are ambiguous: listed
//     with the reason, never adopted automatically;
//   - a user matching no entitled resident is "not in Entrata": listed for
//     review, never revoked.

// Adoption match methods.
const (
	MatchByEmail = "e-mail"
	MatchByName  = "name and unit"
)

// AdoptionResident is a resident Entrata entitles (now or in the future).
// Names and e-mail are personal data: never log them.
type AdoptionResident struct {
	ExternalID string
	FirstName  string
	LastName   string
	Email      string
	// UnitGroupIDs are the Brivo groups of the resident's units.
	UnitGroupIDs []int64
	// HasUser is set when Brivo already has a user with ExternalID.
	HasUser bool
}

// HandMadeUser is a Brivo user without the product's external id, found in
// the property's managed groups. Names and e-mail are personal data.
type HandMadeUser struct {
	BrivoID   int64
	FirstName string
	LastName  string
	Emails    []string
	GroupIDs  []int64
}

// AdoptionMatch is a hand-made user the sync may take over as a resident.
type AdoptionMatch struct {
	BrivoID    int64  `json:"brivoId"`
	ExternalID string `json:"externalId"`
	By         string `json:"by"`
}

// AdoptionAmbiguity is a hand-made user that is never adopted automatically,
// with the residents it could be (external ids) and why.
type AdoptionAmbiguity struct {
	BrivoID    int64    `json:"brivoId"`
	Candidates []string `json:"candidates,omitempty"`
	Reason     string   `json:"reason"`
}

// AdoptionProposal is ProposeAdoption's verdict; every list is sorted by
// Brivo id.
type AdoptionProposal struct {
	Matches      []AdoptionMatch     `json:"matches"`
	Ambiguous    []AdoptionAmbiguity `json:"ambiguous"`
	NotInEntrata []int64             `json:"notInEntrata"`
}

func normKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func nameKey(first, last string) string {
	if normKey(first) == "" || normKey(last) == "" {
		return ""
	}
	return normKey(first) + "\x00" + normKey(last)
}

// ProposeAdoption matches hand-made users to entitled residents (see the
// rules above). It is deterministic whatever the input order.
func ProposeAdoption(residents []AdoptionResident, users []HandMadeUser) AdoptionProposal {
	byEmail, byName := map[string][]*AdoptionResident{}, map[string][]*AdoptionResident{}
	for i := range residents {
		r := &residents[i]
		if e := normKey(r.Email); e != "" && !slices.Contains(byEmail[e], r) {
			byEmail[e] = append(byEmail[e], r)
		}
		if k := nameKey(r.FirstName, r.LastName); k != "" {
			byName[k] = append(byName[k], r)
		}
	}
	sorted := slices.Clone(users)
	slices.SortFunc(sorted, func(a, b HandMadeUser) int { return cmp.Compare(a.BrivoID, b.BrivoID) })

	var out AdoptionProposal
	tentative := map[int64]AdoptionMatch{}
	claims := map[string][]int64{} // resident -> users claiming it
	claim := func(u HandMadeUser, r *AdoptionResident, by string) {
		if r.HasUser {
			out.Ambiguous = append(out.Ambiguous, AdoptionAmbiguity{BrivoID: u.BrivoID, Candidates: []string{r.ExternalID},
				Reason: "the resident already has a Brivo user the sync manages: a duplicate to review"})
			return
		}
		tentative[u.BrivoID] = AdoptionMatch{BrivoID: u.BrivoID, ExternalID: r.ExternalID, By: by}
		claims[r.ExternalID] = append(claims[r.ExternalID], u.BrivoID)
	}
	var byNameOnly []HandMadeUser
	for _, u := range sorted {
		var found []*AdoptionResident
		for _, e := range u.Emails {
			for _, r := range byEmail[normKey(e)] {
				if !slices.Contains(found, r) {
					found = append(found, r)
				}
			}
		}
		switch len(found) {
		case 0:
			byNameOnly = append(byNameOnly, u)
		case 1:
			claim(u, found[0], MatchByEmail)
		default:
			out.Ambiguous = append(out.Ambiguous, AdoptionAmbiguity{BrivoID: u.BrivoID, Candidates: extIDs(found),
				Reason: fmt.Sprintf("its e-mail matches %d residents", len(found))})
		}
	}
	emailClaimed := map[string]bool{}
	for ext := range claims {
		emailClaimed[ext] = true
	}
	for _, u := range byNameOnly {
		named := byName[nameKey(u.FirstName, u.LastName)]
		var inUnit []*AdoptionResident
		for _, r := range named {
			if slices.ContainsFunc(r.UnitGroupIDs, func(g int64) bool { return slices.Contains(u.GroupIDs, g) }) {
				inUnit = append(inUnit, r)
			}
		}
		switch {
		case len(named) == 0:
			out.NotInEntrata = append(out.NotInEntrata, u.BrivoID)
		case len(inUnit) == 0:
			out.Ambiguous = append(out.Ambiguous, AdoptionAmbiguity{BrivoID: u.BrivoID, Candidates: extIDs(named),
				Reason: "the name matches but the user is not in the resident's unit group"})
		case len(inUnit) > 1:
			out.Ambiguous = append(out.Ambiguous, AdoptionAmbiguity{BrivoID: u.BrivoID, Candidates: extIDs(inUnit),
				Reason: fmt.Sprintf("the name and unit match %d residents", len(inUnit))})
		case emailClaimed[inUnit[0].ExternalID]:
			out.Ambiguous = append(out.Ambiguous, AdoptionAmbiguity{BrivoID: u.BrivoID, Candidates: extIDs(inUnit),
				Reason: "the resident is already matched by e-mail to another Brivo user"})
		default:
			claim(u, inUnit[0], MatchByName)
		}
	}
	for _, ext := range sortedKeys(claims) {
		ids := claims[ext]
		if len(ids) == 1 {
			out.Matches = append(out.Matches, tentative[ids[0]])
			continue
		}
		for _, id := range ids {
			out.Ambiguous = append(out.Ambiguous, AdoptionAmbiguity{BrivoID: id, Candidates: []string{ext},
				Reason: fmt.Sprintf("%d Brivo users match the same resident", len(ids))})
		}
	}
	slices.SortFunc(out.Matches, func(a, b AdoptionMatch) int { return cmp.Compare(a.BrivoID, b.BrivoID) })
	slices.SortFunc(out.Ambiguous, func(a, b AdoptionAmbiguity) int { return cmp.Compare(a.BrivoID, b.BrivoID) })
	slices.Sort(out.NotInEntrata)
	return out
}

func extIDs(rs []*AdoptionResident) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.ExternalID)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
