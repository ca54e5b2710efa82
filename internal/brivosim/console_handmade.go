package brivosim

import "fmt"

// HandMade describes a resident entered by hand in the Brivo console before
// any integration: no externalId, an e-mail, groups, and the credentials
// they use every day.
type HandMade struct {
	FirstName, LastName, Email string
	Groups                     []int64
	// CardRef, when set, assigns a card with that reference and no window.
	CardRef string
	// MobilePass gives the user a mobile pass whose invitation was
	// redeemed (no window).
	MobilePass bool
}

// CreateHandMadeUser creates, as console edits, a hand-made user with its
// groups, card and redeemed mobile pass, and returns it.
func (s *Server) CreateHandMadeUser(h HandMade) (UserState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	u := &user{id: s.newID(), firstName: h.FirstName, last: h.LastName,
		custom: map[int64]string{}, groups: map[int64]bool{}, created: now, updated: now}
	if h.Email != "" {
		u.emails = []Email{{Address: h.Email, Type: "work"}}
	}
	s.users[u.id] = u
	s.recordUser(u.id, u)
	s.event("user.created", u.id, "", true)
	if _, msg := s.changeGroups(u, h.Groups, nil, true); msg != "" {
		return UserState{}, fmt.Errorf("brivosim: %s", msg)
	}
	if h.CardRef != "" {
		c := &credential{id: s.newID(), referenceID: h.CardRef, formatID: formatCard, formatName: "Standard 26 Bit"}
		s.putCred(c)
		s.setCredential(c, u.id, nil, nil, true)
	}
	if h.MobilePass {
		ref := h.Email
		if ref == "" {
			ref = fmt.Sprintf("user-%d", u.id)
		}
		c := &credential{id: s.newID(), referenceID: ref, formatID: formatMobile, formatName: "Brivo Mobile Pass",
			mobile: true, pending: true}
		s.putCred(c)
		inv := &invitation{id: s.newID(), userID: u.id, referenceID: ref, credentialID: c.id,
			accessCode: randomToken()[:8], created: now, status: "PENDING"}
		s.addInvitation(inv)
		s.event("invitation.created", u.id, "invitation "+itoa(inv.id), true)
		s.redeem(inv)
	}
	return s.userState(u), nil
}

// PersonKey is how the referee names a user's person: its externalId, or
// "id:N" for a user without one (a hand-made user).
func PersonKey(externalID string, userID int64) string { return personKey(externalID, userID) }
