package brivo

import (
	"context"
	"fmt"
	"net/http"
)

// GroupsService calls the /groups endpoints.
type GroupsService service

// Group is a Brivo group: a set of access points, each with a schedule.
type Group struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// GroupAccessPoint is one access point a group grants, with its schedule.
type GroupAccessPoint struct {
	AccessPoint struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
		Type string `json:"type,omitempty"`
	} `json:"accessPoint"`
	Schedule struct {
		ID   int64  `json:"id"`
		Name string `json:"name,omitempty"`
	} `json:"schedule"`
	PrivacyModeOverride bool `json:"privacyModeOverride"`
}

// List calls GET /groups for one page.
func (s *GroupsService) List(ctx context.Context, opts *ListOptions) ([]Group, *Response, error) {
	return getList[Group](ctx, s.client, "/groups", "/groups", opts)
}

// ListAll pages GET /groups until every group is read.
func (s *GroupsService) ListAll(ctx context.Context) ([]Group, error) {
	groups, _, err := listAll[Group](ctx, s.client, "/groups", "/groups", "")
	return groups, err
}

// Get calls GET /groups/{id}.
func (s *GroupsService) Get(ctx context.Context, id int64) (*Group, *Response, error) {
	g := new(Group)
	resp, err := s.client.sendJSON(ctx, http.MethodGet, fmt.Sprintf("/groups/%d", id), "/groups/{id}", nil, g)
	if err != nil {
		return nil, resp, err
	}
	return g, resp, nil
}

// Members calls GET /groups/{id}/users for one page.
func (s *GroupsService) Members(ctx context.Context, groupID int64, opts *ListOptions) ([]User, *Response, error) {
	return getList[User](ctx, s.client, fmt.Sprintf("/groups/%d/users", groupID), "/groups/{id}/users", opts)
}

// ListAllMembers pages GET /groups/{id}/users until every member is read.
func (s *GroupsService) ListAllMembers(ctx context.Context, groupID int64) ([]User, error) {
	users, _, err := listAll[User](ctx, s.client, fmt.Sprintf("/groups/%d/users", groupID), "/groups/{id}/users", "")
	return users, err
}

// AddUser calls PUT /groups/{g}/users/{u}. Exceeding 16 groups is a
// *GroupLimitError.
func (s *GroupsService) AddUser(ctx context.Context, groupID, userID int64) (*Response, error) {
	return s.client.sendNoBody(ctx, http.MethodPut, fmt.Sprintf("/groups/%d/users/%d", groupID, userID),
		"/groups/{id}/users/{userId}", nil)
}

// RemoveUser calls DELETE /groups/{g}/users/{u}.
func (s *GroupsService) RemoveUser(ctx context.Context, groupID, userID int64) (*Response, error) {
	return s.client.sendNoBody(ctx, http.MethodDelete, fmt.Sprintf("/groups/%d/users/%d", groupID, userID),
		"/groups/{id}/users/{userId}", nil)
}

// AccessPoints calls GET /groups/{id}/access/access-points.
func (s *GroupsService) AccessPoints(ctx context.Context, groupID int64) ([]GroupAccessPoint, *Response, error) {
	return getList[GroupAccessPoint](ctx, s.client, fmt.Sprintf("/groups/%d/access/access-points", groupID),
		"/groups/{id}/access/access-points", nil)
}
