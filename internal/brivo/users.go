package brivo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// UsersService calls the /users endpoints.
type UsersService service

// User is a Brivo user. EffectiveFrom/EffectiveTo bound the user's PIN only;
// door access windows live on credentials.
type User struct {
	ID            int64              `json:"id,omitempty"`
	ExternalID    string             `json:"externalId,omitempty"`
	FirstName     string             `json:"firstName,omitempty"`
	MiddleName    string             `json:"middleName,omitempty"`
	LastName      string             `json:"lastName,omitempty"`
	Pin           string             `json:"pin,omitempty"`
	EffectiveFrom *time.Time         `json:"effectiveFrom,omitempty"`
	EffectiveTo   *time.Time         `json:"effectiveTo,omitempty"`
	Suspended     bool               `json:"suspended"`
	Emails        []Email            `json:"emails,omitempty"`
	PhoneNumbers  []Phone            `json:"phoneNumbers,omitempty"`
	CustomFields  []CustomFieldValue `json:"customFields,omitempty"`
	Created       time.Time          `json:"created,omitzero"`
	Updated       time.Time          `json:"updated,omitzero"`
}

// String identifies the user by ids only; names and e-mails are personal.
func (u User) String() string {
	return fmt.Sprintf("brivo.User{ID:%d ExternalID:%q Suspended:%t}", u.ID, u.ExternalID, u.Suspended)
}

// GoString is String, so %#v does not print personal data either.
func (u User) GoString() string { return u.String() }

// Email is a user's e-mail address.
type Email struct {
	Address string `json:"address"`
	Type    string `json:"type,omitempty"`
}

// Phone is a user's phone number.
type Phone struct {
	Number string `json:"number"`
	Type   string `json:"type,omitempty"`
}

// CustomFieldValue is a user's value for a custom field.
type CustomFieldValue struct {
	ID        int64  `json:"id"`
	FieldName string `json:"fieldName,omitempty"`
	Value     string `json:"value"`
}

// UserPatch is a PATCH body: only non-nil fields are sent, so the rest of
// the user stays as it is.
type UserPatch struct {
	ExternalID    *string    `json:"externalId,omitempty"`
	FirstName     *string    `json:"firstName,omitempty"`
	MiddleName    *string    `json:"middleName,omitempty"`
	LastName      *string    `json:"lastName,omitempty"`
	EffectiveFrom *time.Time `json:"effectiveFrom,omitempty"`
	EffectiveTo   *time.Time `json:"effectiveTo,omitempty"`
	Emails        *[]Email   `json:"emails,omitempty"`
	PhoneNumbers  *[]Phone   `json:"phoneNumbers,omitempty"`
}

// Get calls GET /users/{id}.
func (s *UsersService) Get(ctx context.Context, id int64) (*User, *Response, error) {
	u := new(User)
	resp, err := s.client.sendJSON(ctx, http.MethodGet, fmt.Sprintf("/users/%d", id), "/users/{id}", nil, u)
	if err != nil {
		return nil, resp, err
	}
	return u, resp, nil
}

// GetByExternalID calls GET /users/{externalId}/external. A user that does
// not exist is (nil, resp, nil), not an error.
func (s *UsersService) GetByExternalID(ctx context.Context, externalID string) (*User, *Response, error) {
	u := new(User)
	path := "/users/" + url.PathEscape(externalID) + "/external"
	resp, err := s.client.sendJSON(ctx, http.MethodGet, path, "/users/{externalId}/external", nil, u)
	if errors.Is(err, ErrNotFound) {
		return nil, resp, nil
	}
	if err != nil {
		return nil, resp, err
	}
	return u, resp, nil
}

// List calls GET /users for one page.
func (s *UsersService) List(ctx context.Context, opts *ListOptions) ([]User, *Response, error) {
	return getList[User](ctx, s.client, "/users", "/users", opts)
}

// ListAll pages GET /users with an optional filter until every user is read.
func (s *UsersService) ListAll(ctx context.Context, filter string) ([]User, error) {
	users, _, err := listAll[User](ctx, s.client, "/users", "/users", filter)
	return users, err
}

// EachPage pages GET /users with an optional filter, handing each page and
// the number of users the filter matches to page, until every user is read
// or page returns false. Unlike ListAll it keeps no page.
func (s *UsersService) EachPage(ctx context.Context, filter string, page func(users []User, count int) bool) error {
	_, err := eachPage(ctx, s.client, "/users", "/users", filter, page)
	return err
}

// ListByCustomField lists the users whose custom field fieldID is exactly
// value (GET /users?filter=cf_{id}__exact:value). Callers that decide
// ownership still check the value on every user returned.
func (s *UsersService) ListByCustomField(ctx context.Context, fieldID int64, value string) ([]User, error) {
	return s.ListAll(ctx, fmt.Sprintf("cf_%d__exact:%s", fieldID, value))
}

// ListByCustomFieldContaining lists the users whose custom field fieldID
// contains part (GET /users?filter=cf_{id}__eq:part: on a TEXT field Brivo's
// eq is a contains match).
func (s *UsersService) ListByCustomFieldContaining(ctx context.Context, fieldID int64, part string) ([]User, error) {
	return s.ListAll(ctx, fmt.Sprintf("cf_%d__eq:%s", fieldID, part))
}

// Create calls POST /users and returns the created user.
func (s *UsersService) Create(ctx context.Context, u *User) (*User, *Response, error) {
	body := *u
	body.ID, body.Created, body.Updated = 0, time.Time{}, time.Time{}
	body.EffectiveFrom, body.EffectiveTo = wireTime(u.EffectiveFrom), wireTime(u.EffectiveTo)
	out := new(User)
	resp, err := s.client.sendJSON(ctx, http.MethodPost, "/users", "/users", &body, out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// Replace calls PUT /users/{id}, which replaces the whole user: optional
// fields left out of u are erased in Brivo. Prefer Patch; use Replace only
// with a complete user read just before.
func (s *UsersService) Replace(ctx context.Context, id int64, u *User) (*User, *Response, error) {
	body := *u
	body.ID, body.Created, body.Updated = 0, time.Time{}, time.Time{}
	body.EffectiveFrom, body.EffectiveTo = wireTime(u.EffectiveFrom), wireTime(u.EffectiveTo)
	out := new(User)
	resp, err := s.client.sendJSON(ctx, http.MethodPut, fmt.Sprintf("/users/%d", id), "/users/{id}", &body, out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// Patch calls PATCH /users/{id} with only the non-nil fields of p.
func (s *UsersService) Patch(ctx context.Context, id int64, p *UserPatch) (*User, *Response, error) {
	body := *p
	body.EffectiveFrom, body.EffectiveTo = wireTime(p.EffectiveFrom), wireTime(p.EffectiveTo)
	out := new(User)
	resp, err := s.client.sendJSON(ctx, http.MethodPatch, fmt.Sprintf("/users/%d", id), "/users/{id}", &body, out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// Delete calls DELETE /users/{id}. Deleting a user destroys its mobile
// passes; only delete when the person is truly gone.
func (s *UsersService) Delete(ctx context.Context, id int64) (*Response, error) {
	return s.client.sendNoBody(ctx, http.MethodDelete, fmt.Sprintf("/users/%d", id), "/users/{id}", nil)
}

// SetSuspended calls PUT /users/{id}/suspended.
func (s *UsersService) SetSuspended(ctx context.Context, id int64, suspended bool) (*Response, error) {
	return s.client.sendNoBody(ctx, http.MethodPut, fmt.Sprintf("/users/%d/suspended", id),
		"/users/{id}/suspended", map[string]bool{"suspended": suspended})
}

// RevokeCredentials calls POST /users/{id}/revoke-credentials; Brivo allows
// it only for a suspended user.
func (s *UsersService) RevokeCredentials(ctx context.Context, id int64) (*Response, error) {
	return s.client.sendNoBody(ctx, http.MethodPost, fmt.Sprintf("/users/%d/revoke-credentials", id),
		"/users/{id}/revoke-credentials", nil)
}

// Groups calls GET /users/{id}/groups, every page.
func (s *UsersService) Groups(ctx context.Context, id int64) ([]Group, *Response, error) {
	return listAll[Group](ctx, s.client, fmt.Sprintf("/users/%d/groups", id), "/users/{id}/groups", "")
}

// ChangeGroups calls POST /users/{id}/groups, which adds and removes
// memberships atomically. Exceeding 16 groups is a *GroupLimitError and
// changes nothing.
func (s *UsersService) ChangeGroups(ctx context.Context, id int64, add, remove []int64) (*Response, error) {
	body := struct {
		AddGroups    []int64 `json:"addGroups"`
		RemoveGroups []int64 `json:"removeGroups"`
	}{AddGroups: nonNil(add), RemoveGroups: nonNil(remove)}
	return s.client.sendNoBody(ctx, http.MethodPost, fmt.Sprintf("/users/%d/groups", id), "/users/{id}/groups", body)
}

// SetCustomField calls PUT /users/{id}/custom-fields/{fieldId}, the
// documented way to set a user's custom-field value (the create body of
// POST /users has no customFields). It returns the value Brivo answers with.
func (s *UsersService) SetCustomField(ctx context.Context, userID, fieldID int64, value string) (*CustomFieldValue, *Response, error) {
	out := new(CustomFieldValue)
	resp, err := s.client.sendJSON(ctx, http.MethodPut, fmt.Sprintf("/users/%d/custom-fields/%d", userID, fieldID),
		"/users/{id}/custom-fields/{fieldId}", map[string]string{"value": value}, out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// CustomFields calls GET /users/{id}/custom-fields: the user's values.
func (s *UsersService) CustomFields(ctx context.Context, userID int64) ([]CustomFieldValue, *Response, error) {
	return listAll[CustomFieldValue](ctx, s.client, fmt.Sprintf("/users/%d/custom-fields", userID), "/users/{id}/custom-fields", "")
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// wireTime sends times in UTC to the second, as Brivo expects.
func wireTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC().Truncate(time.Second)
	return &v
}
