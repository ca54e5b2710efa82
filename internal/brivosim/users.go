package brivosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// maxGroups is Brivo's limit on one user's group memberships.
const maxGroups = 16

const groupLimitMessage = "A user cannot be a member of more than 16 groups"

func (s *Server) registerUserRoutes() {
	s.api.handle("GET", "/users", s.listUsers)
	s.api.handle("POST", "/users", s.createUser)
	s.api.handle("GET", "/users/{id}", s.getUser)
	s.api.handle("PUT", "/users/{id}", s.replaceUser)
	s.api.handle("PATCH", "/users/{id}", s.patchUser)
	s.api.handle("DELETE", "/users/{id}", s.deleteUser)
	s.api.handle("GET", "/users/{ext}/external", s.getUserByExternalID)
	s.api.handle("PUT", "/users/{id}/suspended", s.putSuspended)
	s.api.handle("POST", "/users/{id}/revoke-credentials", s.revokeCredentials)
	s.api.handle("GET", "/users/{id}/groups", s.listUserGroups)
	s.api.handle("POST", "/users/{id}/groups", s.changeUserGroups)
	s.api.handle("GET", "/users/{id}/custom-fields", s.listUserCustomFields)
	s.api.handle("PUT", "/users/{id}/custom-fields/{field}", s.putUserCustomField)
	s.api.handle("DELETE", "/users/{id}/custom-fields/{field}", s.deleteUserCustomField)
}

func writeUserNotFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, apiError{Code: 404, Message: "Requested user not found"})
}

// pathUser resolves {id} to a user or answers 404.
func (s *Server) pathUser(w http.ResponseWriter, params map[string]string) (*user, bool) {
	id, ok := pathID(w, params, "id")
	if !ok {
		return nil, false
	}
	u := s.users[id]
	if u == nil {
		writeUserNotFound(w)
		return nil, false
	}
	return u, true
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	match, err := s.userFilter(r.URL.Query().Get("filter"))
	if err != nil {
		writeErr(w, http.StatusBadRequest, err.Error())
		return
	}
	var matched []*user
	for _, id := range sortedKeys(s.users) {
		if u := s.users[id]; match(u) {
			matched = append(matched, u)
		}
	}
	s.writeUserPage(w, r, matched)
}

// writeUserPage answers one page of users; only the page's users are put
// in wire shape, so listing a large account page by page stays linear.
func (s *Server) writeUserPage(w http.ResponseWriter, r *http.Request, users []*user) {
	env, err := page(r, users)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err.Error())
		return
	}
	out := []userJSON{}
	for _, u := range env.Data.([]*user) {
		out = append(out, s.userWire(u))
	}
	env.Data = out
	writeJSON(w, http.StatusOK, env)
}

// userFilter parses filter=field__op:value;... for the fields Brivo allows
// on users: id, firstname, lastname (eq means contains), user_status and
// cf_{id}. On a custom field (TEXT), eq is a contains match, as Brivo
// documents, and exact is the exact match; ne negates eq.
func (s *Server) userFilter(filter string) (func(*user) bool, error) {
	var preds []func(*user) bool
	for _, clause := range strings.Split(filter, ";") {
		if clause == "" {
			continue
		}
		lhs, value, ok := strings.Cut(clause, ":")
		field, op, ok2 := strings.Cut(lhs, "__")
		if !ok || !ok2 {
			return nil, fmt.Errorf("invalid filter clause")
		}
		if op != "eq" && op != "ne" && op != "exact" {
			return nil, fmt.Errorf("unsupported filter operator: %s", op)
		}
		var p func(*user) bool
		switch {
		case field == "id":
			p = func(u *user) bool { return strconv.FormatInt(u.id, 10) == value }
		case field == "firstname":
			p = func(u *user) bool { return containsFold(u.firstName, value) }
		case field == "lastname":
			p = func(u *user) bool { return containsFold(u.last, value) }
		case field == "user_status":
			if value != "active" && value != "unaffiliated" && value != "suspended" {
				return nil, fmt.Errorf("invalid user_status value")
			}
			p = func(u *user) bool { return userStatus(u) == value }
		case strings.HasPrefix(field, "cf_"):
			fid, err := strconv.ParseInt(strings.TrimPrefix(field, "cf_"), 10, 64)
			if err != nil || s.customFields[fid] == nil {
				return nil, fmt.Errorf("unknown custom field in filter")
			}
			if op == "exact" && !s.opts.LooseCustomFieldFilters {
				p = func(u *user) bool { v, ok := u.custom[fid]; return ok && v == value }
			} else {
				p = func(u *user) bool { v, ok := u.custom[fid]; return ok && strings.Contains(v, value) }
			}
		default:
			return nil, fmt.Errorf("unsupported filter field: %s", field)
		}
		if op == "ne" {
			inner := p
			p = func(u *user) bool { return !inner(u) }
		}
		preds = append(preds, p)
	}
	return func(u *user) bool {
		for _, p := range preds {
			if !p(u) {
				return false
			}
		}
		return true
	}, nil
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// userStatus is the simulator's reading of Brivo's user_status (inferred):
// suspended, else active when in any group, else unaffiliated.
func userStatus(u *user) string {
	switch {
	case u.suspended:
		return "suspended"
	case len(u.groups) > 0:
		return "active"
	}
	return "unaffiliated"
}

func (s *Server) getUser(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	if u, ok := s.pathUser(w, params); ok {
		writeJSON(w, http.StatusOK, s.userWire(u))
	}
}

func (s *Server) getUserByExternalID(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	id, ok := s.byExt[params["ext"]]
	if !ok {
		writeUserNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, s.userWire(s.users[id]))
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var fields map[string]json.RawMessage
	if !decodeBody(w, r, &fields) {
		return
	}
	u := &user{id: 0, custom: map[int64]string{}, groups: map[int64]bool{}}
	if status, msg := s.applyUserFields(u, fields, true); status != 0 {
		writeErr(w, status, msg)
		return
	}
	u.id = s.newID()
	u.created, u.updated = s.now(), s.now()
	s.users[u.id] = u
	if u.externalID != "" {
		s.byExt[u.externalID] = u.id
	}
	s.recordUser(u.id, u)
	s.event("user.created", u.id, "", false)
	writeJSON(w, http.StatusOK, s.userWire(u))
}

func (s *Server) replaceUser(w http.ResponseWriter, r *http.Request, params map[string]string) {
	s.updateUser(w, r, params, true)
}

func (s *Server) patchUser(w http.ResponseWriter, r *http.Request, params map[string]string) {
	s.updateUser(w, r, params, false)
}

// updateUser is PUT (replace: omitted optional fields are erased) and
// PATCH (merge: omitted fields stay; an explicit null clears).
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, params map[string]string, replace bool) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return
	}
	var fields map[string]json.RawMessage
	if !decodeBody(w, r, &fields) {
		return
	}
	next := *u
	next.custom = cloneMap(u.custom)
	if status, msg := s.applyUserFields(&next, fields, replace); status != 0 {
		writeErr(w, status, msg)
		return
	}
	if u.externalID != next.externalID {
		delete(s.byExt, u.externalID)
		if next.externalID != "" {
			s.byExt[next.externalID] = u.id
		}
	}
	next.updated = s.now()
	*u = next
	s.recordUser(u.id, u)
	verb := "user.patched"
	if replace {
		verb = "user.replaced"
	}
	s.event(verb, u.id, "", false)
	writeJSON(w, http.StatusOK, s.userWire(u))
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *Server) deleteUser(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return
	}
	s.removeUser(u)
	w.WriteHeader(http.StatusNoContent)
}

// removeUser deletes a user with its memberships, credentials assignments
// (mobile passes are destroyed) and pending invitations; the lock is held.
func (s *Server) removeUser(u *user) {
	for gid := range u.groups {
		s.setMember(u.id, gid, false)
		s.recordMember(u.id, gid, false)
	}
	s.unassignAll(u.id)
	delete(s.users, u.id)
	if s.byExt[u.externalID] == u.id {
		delete(s.byExt, u.externalID)
	}
	s.recordUser(u.id, nil)
	s.event("user.deleted", u.id, "", false)
}

func (s *Server) putSuspended(w http.ResponseWriter, r *http.Request, params map[string]string) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return
	}
	var body struct {
		Suspended *bool `json:"suspended"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Suspended == nil {
		writeErr(w, http.StatusBadRequest, "suspended is required")
		return
	}
	s.setSuspended(u, *body.Suspended, false)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) setSuspended(u *user, suspended, console bool) {
	if u.suspended == suspended {
		return
	}
	u.suspended = suspended
	u.updated = s.now()
	s.recordUser(u.id, u)
	s.event("user.suspended", u.id, strconv.FormatBool(suspended), console)
}

func (s *Server) revokeCredentials(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return
	}
	if !u.suspended {
		writeErr(w, http.StatusBadRequest, "Credentials can only be revoked from a suspended user")
		return
	}
	s.unassignAll(u.id)
	s.event("user.credentials-revoked", u.id, "", false)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listUserGroups(w http.ResponseWriter, r *http.Request, params map[string]string) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return
	}
	var out []Group
	for _, gid := range sortedKeys(u.groups) {
		out = append(out, Group{ID: gid, Name: s.groups[gid].Name})
	}
	writePage(w, r, out)
}

func (s *Server) changeUserGroups(w http.ResponseWriter, r *http.Request, params map[string]string) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return
	}
	var body struct {
		AddGroups    []int64 `json:"addGroups"`
		RemoveGroups []int64 `json:"removeGroups"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if status, msg := s.changeGroups(u, body.AddGroups, body.RemoveGroups, false); status != 0 {
		writeErr(w, status, msg)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// changeGroups applies adds and removes atomically: on any error (unknown
// group, more than 16 groups) nothing changes.
func (s *Server) changeGroups(u *user, add, remove []int64, console bool) (int, string) {
	next := cloneMap(u.groups)
	for _, gid := range remove {
		delete(next, gid)
	}
	for _, gid := range add {
		if s.groups[gid] == nil {
			return http.StatusBadRequest, fmt.Sprintf("Group %d not found", gid)
		}
		next[gid] = true
	}
	if len(next) > maxGroups {
		return http.StatusBadRequest, groupLimitMessage
	}
	for gid := range u.groups {
		if !next[gid] {
			s.setMember(u.id, gid, false)
			s.recordMember(u.id, gid, false)
			s.event("group.member-removed", u.id, "group "+itoa(gid), console)
		}
	}
	for gid := range next {
		if !u.groups[gid] {
			s.setMember(u.id, gid, true)
			s.recordMember(u.id, gid, true)
			s.event("group.member-added", u.id, "group "+itoa(gid), console)
		}
	}
	u.groups = next
	return 0, ""
}

// putUserCustomField is PUT /users/{id}/custom-fields/{fieldId} {"value"}:
// 200 with {id, fieldType, fieldName, value}; 400 when the value does not
// fit the field's type.
func (s *Server) putUserCustomField(w http.ResponseWriter, r *http.Request, params map[string]string) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return
	}
	fid, ok := pathID(w, params, "field")
	if !ok {
		return
	}
	f := s.customFields[fid]
	if f == nil {
		writeErr(w, http.StatusNotFound, "Custom field not found")
		return
	}
	var body struct {
		Value *string `json:"value"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Value == nil || !fitsFieldType(f.FieldType, *body.Value) {
		writeErr(w, http.StatusBadRequest, "Value does not match the custom field type")
		return
	}
	u.custom[fid] = *body.Value
	u.updated = s.now()
	s.event("user.custom-field", u.id, "field "+itoa(fid), false)
	writeJSON(w, http.StatusOK, userFieldValue{ID: fid, FieldType: f.FieldType, FieldName: f.FieldName, Value: *body.Value})
}

// userFieldValue is one custom-field value of a user, as Brivo shows it.
type userFieldValue struct {
	ID        int64  `json:"id"`
	FieldType string `json:"fieldType"`
	FieldName string `json:"fieldName"`
	Value     string `json:"value"`
}

// listUserCustomFields is GET /users/{id}/custom-fields.
func (s *Server) listUserCustomFields(w http.ResponseWriter, r *http.Request, params map[string]string) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return
	}
	out := []userFieldValue{}
	for _, fid := range sortedKeys(u.custom) {
		if f := s.customFields[fid]; f != nil {
			out = append(out, userFieldValue{ID: fid, FieldType: f.FieldType, FieldName: f.FieldName, Value: u.custom[fid]})
		}
	}
	writePage(w, r, out)
}

// fitsFieldType is the simulator's reading of Brivo's type check: text
// takes up to 255 characters, number only digits.
func fitsFieldType(fieldType, v string) bool {
	switch fieldType {
	case "number":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	default:
		return len(v) <= 255
	}
}

func (s *Server) deleteUserCustomField(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return
	}
	fid, ok := pathID(w, params, "field")
	if !ok {
		return
	}
	delete(u.custom, fid)
	u.updated = s.now()
	w.WriteHeader(http.StatusNoContent)
}
