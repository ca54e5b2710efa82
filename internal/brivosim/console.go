package brivosim

import (
	"fmt"
	"time"
)

// UserState is a dump of one user: Brivo's user fields plus the user's
// groups and assigned credentials.
type UserState struct {
	ID            int64             `json:"id"`
	ExternalID    string            `json:"externalId,omitempty"`
	FirstName     string            `json:"firstName,omitempty"`
	MiddleName    string            `json:"middleName,omitempty"`
	LastName      string            `json:"lastName,omitempty"`
	Suspended     bool              `json:"suspended"`
	EffectiveFrom *time.Time        `json:"effectiveFrom,omitempty"`
	EffectiveTo   *time.Time        `json:"effectiveTo,omitempty"`
	Emails        []Email           `json:"emails,omitempty"`
	PhoneNumbers  []Phone           `json:"phoneNumbers,omitempty"`
	CustomFields  map[int64]string  `json:"customFields,omitempty"`
	Groups        []int64           `json:"groups"`
	Credentials   []CredentialState `json:"credentials"`
	Created       time.Time         `json:"created"`
	Updated       time.Time         `json:"updated"`
}

// CredentialState is a credential as held by a user.
type CredentialState struct {
	ID            int64      `json:"id"`
	ReferenceID   string     `json:"referenceId,omitempty"`
	Mobile        bool       `json:"mobile"`
	Pending       bool       `json:"pending"`
	EffectiveFrom *time.Time `json:"effectiveFrom,omitempty"`
	EffectiveTo   *time.Time `json:"effectiveTo,omitempty"`
}

func (s *Server) userState(u *user) UserState {
	st := UserState{
		ID: u.id, ExternalID: u.externalID, FirstName: u.firstName, MiddleName: u.middle,
		LastName: u.last, Suspended: u.suspended, EffectiveFrom: u.effectiveFrom,
		EffectiveTo: u.effectiveTo, Emails: u.emails, PhoneNumbers: u.phones,
		CustomFields: cloneMap(u.custom), Groups: sortedKeys(u.groups),
		Credentials: []CredentialState{}, Created: u.created, Updated: u.updated,
	}
	for _, c := range s.heldBy(u.id) {
		st.Credentials = append(st.Credentials, CredentialState{ID: c.id, ReferenceID: c.referenceID,
			Mobile: c.mobile, Pending: c.pending, EffectiveFrom: c.from, EffectiveTo: c.to})
	}
	return st
}

// Users dumps every user in id order.
func (s *Server) Users() []UserState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []UserState{}
	for _, id := range sortedKeys(s.users) {
		out = append(out, s.userState(s.users[id]))
	}
	return out
}

// UserByExternalID dumps the user with this externalId.
func (s *Server) UserByExternalID(ext string) (UserState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byExt[ext]
	if !ok {
		return UserState{}, false
	}
	return s.userState(s.users[id]), true
}

// Groups dumps every group with its access points.
func (s *Server) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Group
	for _, id := range sortedKeys(s.groups) {
		g := s.groups[id]
		out = append(out, Group{ID: g.ID, Name: g.Name, AccessPointIDs: append([]int64(nil), g.AccessPointIDs...)})
	}
	return out
}

// consoleUser runs fn on a user under the lock, as a console edit.
func (s *Server) consoleUser(userID int64, fn func(u *user) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userID]
	if u == nil {
		return fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	return fn(u)
}

// ManualAddToGroup adds a user to a group as a person in the Brivo console
// would. The 16-group limit applies.
func (s *Server) ManualAddToGroup(userID, groupID int64) error {
	return s.consoleUser(userID, func(u *user) error {
		if _, msg := s.changeGroups(u, []int64{groupID}, nil, true); msg != "" {
			return fmt.Errorf("brivosim: %s", msg)
		}
		return nil
	})
}

// ManualRemoveFromGroup removes a user from a group, as a console edit.
func (s *Server) ManualRemoveFromGroup(userID, groupID int64) error {
	return s.consoleUser(userID, func(u *user) error {
		s.changeGroups(u, nil, []int64{groupID}, true)
		return nil
	})
}

// ManualSetWindow changes the window of a credential the user holds, as a
// console edit.
func (s *Server) ManualSetWindow(userID, credentialID int64, from, to *time.Time) error {
	return s.consoleUser(userID, func(u *user) error {
		c := s.creds[credentialID]
		if c == nil || c.userID != u.id {
			return fmt.Errorf("credential %d of user %d: %w", credentialID, userID, ErrNotFound)
		}
		s.setCredential(c, u.id, from, to, true)
		return nil
	})
}

// ManualSetSuspended suspends or unsuspends a user, as a console edit.
func (s *Server) ManualSetSuspended(userID int64, suspended bool) error {
	return s.consoleUser(userID, func(u *user) error {
		s.setSuspended(u, suspended, true)
		return nil
	})
}

// ManualRename changes a user's first and last name, as a console edit.
func (s *Server) ManualRename(userID int64, firstName, lastName string) error {
	return s.consoleUser(userID, func(u *user) error {
		u.firstName, u.last, u.updated = firstName, lastName, s.now()
		s.event("user.renamed", u.id, "", true)
		return nil
	})
}

// ManualDeleteUser deletes a user, as a console edit.
func (s *Server) ManualDeleteUser(userID int64) error {
	return s.consoleUser(userID, func(u *user) error {
		s.removeUser(u)
		return nil
	})
}

// CreateForeignUser creates, as a console edit, a user the product does
// not own (externalId without the product's prefix, or empty).
func (s *Server) CreateForeignUser(firstName, lastName, externalID string) (UserState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.byExt[externalID]; externalID != "" && taken {
		return UserState{}, fmt.Errorf("brivosim: externalId already in use")
	}
	now := s.now()
	u := &user{id: s.newID(), externalID: externalID, firstName: firstName, last: lastName,
		custom: map[int64]string{}, groups: map[int64]bool{}, created: now, updated: now}
	s.users[u.id] = u
	if externalID != "" {
		s.byExt[externalID] = u.id
	}
	s.recordUser(u.id, u)
	s.event("user.created", u.id, "", true)
	return s.userState(u), nil
}

// ManualSetCustomField sets a user's value of the custom field named
// fieldName, or removes it when value is "", as a console edit.
func (s *Server) ManualSetCustomField(userID int64, fieldName, value string) error {
	return s.consoleUser(userID, func(u *user) error {
		for id, f := range s.customFields {
			if f.FieldName != fieldName {
				continue
			}
			if value == "" {
				delete(u.custom, id)
			} else {
				u.custom[id] = value
			}
			u.updated = s.now()
			s.event("user.custom-field", u.id, "field "+itoa(id), true)
			return nil
		}
		return fmt.Errorf("custom field %q: %w", fieldName, ErrNotFound)
	})
}

// CustomFieldValue returns a user's value of the custom field named
// fieldName ("" when unset).
func (s *Server) CustomFieldValue(userID int64, fieldName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userID]
	if u == nil {
		return ""
	}
	for id, f := range s.customFields {
		if f.FieldName == fieldName {
			return u.custom[id]
		}
	}
	return ""
}
