package brivo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// MobilePassService calls the digital-invitation (mobile pass) endpoints.
type MobilePassService service

// Invitation is a mobile-pass invitation. Status is PENDING until the
// resident redeems it.
type Invitation struct {
	ID           int64     `json:"id"`
	ReferenceID  string    `json:"referenceId,omitempty"`
	CredentialID int64     `json:"credentialId"`
	AccessCode   string    `json:"accessCode,omitempty"`
	Created      time.Time `json:"created,omitzero"`
	Expiration   time.Time `json:"expiration,omitzero"`
	Status       string    `json:"status"`
	NfcEnabled   bool      `json:"nfcEnabled"`
}

// String leaves out the e-mail (ReferenceID) and the access code.
func (i Invitation) String() string {
	return fmt.Sprintf("brivo.Invitation{ID:%d CredentialID:%d Status:%s}", i.ID, i.CredentialID, i.Status)
}

// GoString is String, so %#v hides personal data too.
func (i Invitation) GoString() string { return i.String() }

// Allotment is the account's mobile-pass allotment.
type Allotment struct {
	Allotted int `json:"allotted"`
	Assigned int `json:"assigned"`
}

// Invite calls POST /users/{id}/credentials/digital-invitations with the
// resident's e-mail. A 409 (an invitation is already pending, or — in the
// simulator — the user already holds a mobile pass) is success with
// alreadyPending true and no invitation. A 412 is ErrNoPassesLeft.
func (s *MobilePassService) Invite(ctx context.Context, userID int64, email string) (inv *Invitation, alreadyPending bool, resp *Response, err error) {
	inv = new(Invitation)
	resp, err = s.client.sendJSON(ctx, http.MethodPost,
		fmt.Sprintf("/users/%d/credentials/digital-invitations?sendInvitationEmail=true", userID),
		"/users/{id}/credentials/digital-invitations", map[string]string{"referenceId": email}, inv)
	switch {
	case errors.Is(err, ErrConflict):
		return nil, true, resp, nil
	case err != nil:
		return nil, false, resp, err
	}
	return inv, false, resp, nil
}

// ListInvitations pages GET /users/{id}/credentials/digital-invitations.
func (s *MobilePassService) ListInvitations(ctx context.Context, userID int64) ([]Invitation, *Response, error) {
	return listAll[Invitation](ctx, s.client, fmt.Sprintf("/users/%d/credentials/digital-invitations", userID),
		"/users/{id}/credentials/digital-invitations", "")
}

// Allotment calls GET /credentials/digital/allotment.
func (s *MobilePassService) Allotment(ctx context.Context) (*Allotment, *Response, error) {
	a := new(Allotment)
	resp, err := s.client.sendJSON(ctx, http.MethodGet, "/credentials/digital/allotment",
		"/credentials/digital/allotment", nil, a)
	if err != nil {
		return nil, resp, err
	}
	return a, resp, nil
}
