package brivo

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// CredentialsService calls the credential endpoints.
type CredentialsService service

// Credential is a card or mobile pass. On a user's credential list,
// EffectiveFrom/EffectiveTo are the access window of the assignment.
type Credential struct {
	ID               int64            `json:"id"`
	ReferenceID      string           `json:"referenceId,omitempty"`
	CredentialFormat CredentialFormat `json:"credentialFormat"`
	EffectiveFrom    *time.Time       `json:"effectiveFrom,omitempty"`
	EffectiveTo      *time.Time       `json:"effectiveTo,omitempty"`
}

// CredentialFormat names a credential's format (card bit format, mobile pass).
type CredentialFormat struct {
	ID   int64  `json:"id"`
	Name string `json:"name,omitempty"`
}

// Window is an access window; a nil bound is open.
type Window struct {
	From, To *time.Time
}

// ListForUser pages GET /users/{id}/credentials until every one is read.
func (s *CredentialsService) ListForUser(ctx context.Context, userID int64) ([]Credential, *Response, error) {
	return listAll[Credential](ctx, s.client, fmt.Sprintf("/users/%d/credentials", userID), "/users/{id}/credentials", "")
}

// Create calls POST /credentials (a card credential in the account's stock).
func (s *CredentialsService) Create(ctx context.Context, c *Credential) (*Credential, *Response, error) {
	out := new(Credential)
	body := map[string]any{"referenceId": c.ReferenceID, "credentialFormat": map[string]int64{"id": c.CredentialFormat.ID}}
	resp, err := s.client.sendJSON(ctx, http.MethodPost, "/credentials", "/credentials", body, out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// Assign calls PUT /users/{u}/credentials/{c}: the credential opens doors
// for the user within w. Assigning again replaces the window, keeping the
// same credential (and so the resident's mobile pass). A nil bound is sent
// as an explicit null: Brivo documents no meaning for a bound left out of a
// re-assignment, and under the strictest reading an omitted bound keeps its
// old value, so a withdrawn move-out would never reopen the window.
func (s *CredentialsService) Assign(ctx context.Context, userID, credentialID int64, w Window) (*Response, error) {
	body := struct {
		EffectiveFrom *time.Time `json:"effectiveFrom"`
		EffectiveTo   *time.Time `json:"effectiveTo"`
	}{wireTime(w.From), wireTime(w.To)}
	return s.client.sendNoBody(ctx, http.MethodPut, fmt.Sprintf("/users/%d/credentials/%d", userID, credentialID),
		"/users/{id}/credentials/{credentialId}", body)
}

// Unassign calls DELETE /users/{u}/credentials/{c}. Unassigning a redeemed
// mobile pass destroys it: the resident must redeem a new invitation.
func (s *CredentialsService) Unassign(ctx context.Context, userID, credentialID int64) (*Response, error) {
	return s.client.sendNoBody(ctx, http.MethodDelete, fmt.Sprintf("/users/%d/credentials/%d", userID, credentialID),
		"/users/{id}/credentials/{credentialId}", nil)
}
