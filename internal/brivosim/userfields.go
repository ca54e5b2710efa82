package brivosim

import (
	"encoding/json"
	"net/http"
	"time"
)

// applyUserFields applies a request body's fields to u. With replace (POST,
// PUT) every optional field the body leaves out is erased first, as Brivo's
// PUT does; without it (PATCH) only the fields present change, and an
// explicit null clears. It returns a non-zero status and message when the
// body is invalid, in which case u may be partly changed and must be a copy.
//
// The documented create body of POST /users has no customFields: unless
// Options.LenientCreateCustomFields is set, the simulator ignores them there
// (the strictest reading), and a value is set only through
// PUT /users/{id}/custom-fields/{fieldId}.
func (s *Server) applyUserFields(u *user, fields map[string]json.RawMessage, replace bool) (int, string) {
	if replace {
		id, groups, created, susp := u.id, u.groups, u.created, u.suspended
		*u = user{id: id, groups: groups, created: created, custom: map[int64]string{}, suspended: susp}
		if _, ok := fields["suspended"]; !ok {
			u.suspended = false
		}
		if _, ok := fields["firstName"]; !ok {
			return http.StatusBadRequest, "firstName is required"
		}
		if _, ok := fields["lastName"]; !ok {
			return http.StatusBadRequest, "lastName is required"
		}
	}
	for key, raw := range fields {
		isNull := string(raw) == "null"
		var err error
		switch key {
		case "externalId":
			err = decodeOrClear(raw, isNull, &u.externalID)
		case "firstName":
			err = decodeOrClear(raw, isNull, &u.firstName)
		case "middleName":
			err = decodeOrClear(raw, isNull, &u.middle)
		case "lastName":
			err = decodeOrClear(raw, isNull, &u.last)
		case "pin":
			err = decodeOrClear(raw, isNull, &u.pin)
		case "suspended":
			err = decodeOrClear(raw, isNull, &u.suspended)
		case "emails":
			err = decodeOrClear(raw, isNull, &u.emails)
		case "phoneNumbers":
			err = decodeOrClear(raw, isNull, &u.phones)
		case "effectiveFrom":
			u.effectiveFrom, err = decodeTime(raw, isNull)
		case "effectiveTo":
			u.effectiveTo, err = decodeTime(raw, isNull)
		case "customFields":
			if !s.opts.LenientCreateCustomFields {
				continue
			}
			var cfs []customFieldJSON
			if err = decodeOrClear(raw, isNull, &cfs); err == nil {
				u.custom = map[int64]string{}
				for _, cf := range cfs {
					if s.customFields[cf.ID] == nil {
						return http.StatusBadRequest, "Unknown custom field"
					}
					u.custom[cf.ID] = cf.Value
				}
			}
		}
		if err != nil {
			return http.StatusBadRequest, "Invalid value for " + key
		}
	}
	if u.firstName == "" || u.last == "" {
		return http.StatusBadRequest, "firstName and lastName must not be empty"
	}
	if other, taken := s.byExt[u.externalID]; u.externalID != "" && taken && other != u.id {
		return http.StatusConflict, "A user with this externalId already exists"
	}
	return 0, ""
}

func decodeOrClear[T any](raw json.RawMessage, isNull bool, dst *T) error {
	if isNull {
		var zero T
		*dst = zero
		return nil
	}
	return json.Unmarshal(raw, dst)
}

func decodeTime(raw json.RawMessage, isNull bool) (*time.Time, error) {
	if isNull {
		return nil, nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		return nil, err
	}
	t, err := parseTime(str)
	if err != nil {
		return nil, err
	}
	return &t, nil
}
