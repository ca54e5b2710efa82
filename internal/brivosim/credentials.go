package brivosim

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

func (s *Server) registerCredentialRoutes() {
	s.api.handle("GET", "/credentials", s.listCredentials)
	s.api.handle("POST", "/credentials", s.createCredential)
	s.api.handle("GET", "/credentials/{id}", s.getCredential)
	s.api.handle("GET", "/credentials/formats", s.listFormats)
	s.api.handle("GET", "/credentials/digital/allotment", s.getAllotment)
	s.api.handle("GET", "/users/{id}/credentials", s.listUserCredentials)
	s.api.handle("PUT", "/users/{id}/credentials/{cred}", s.assignCredential)
	s.api.handle("DELETE", "/users/{id}/credentials/{cred}", s.unassignCredential)
	s.api.handle("POST", "/users/{id}/credentials/digital-invitations", s.createInvitation)
	s.api.handle("GET", "/users/{id}/credentials/digital-invitations", s.listInvitations)
	s.api.handle("GET", "/custom-fields", s.listCustomFields)
	s.api.handle("POST", "/custom-fields", s.createCustomField)
}

func (s *Server) listCredentials(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var out []credentialJSON
	for _, id := range sortedKeys(s.creds) {
		out = append(out, credWire(s.creds[id]))
	}
	writePage(w, r, out)
}

func (s *Server) createCredential(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var body struct {
		ReferenceID      string `json:"referenceId"`
		CredentialFormat struct {
			ID int64 `json:"id"`
		} `json:"credentialFormat"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.CredentialFormat.ID == formatMobile {
		writeErr(w, http.StatusBadRequest, "Mobile passes are issued through digital invitations")
		return
	}
	c := &credential{id: s.newID(), referenceID: body.ReferenceID, formatID: formatCard, formatName: "Standard 26 Bit"}
	s.putCred(c)
	writeJSON(w, http.StatusOK, credWire(c))
}

func (s *Server) getCredential(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	id, ok := pathID(w, params, "id")
	if !ok {
		return
	}
	if c := s.creds[id]; c != nil {
		writeJSON(w, http.StatusOK, credWire(c))
		return
	}
	writeErr(w, http.StatusNotFound, "Requested credential not found")
}

func (s *Server) listFormats(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	writePage(w, r, credentialFormats)
}

// Allotment returns the account's mobile-pass allotment.
func (s *Server) Allotment() int { return s.opts.Allotted }

// mobileAssigned is the number of mobile passes in use (kept by putCred and
// dropCred, so an invitation costs no walk over every credential).
func (s *Server) mobileAssigned() int { return s.mobileN }

// putCred stores a new credential.
func (s *Server) putCred(c *credential) {
	if old := s.creds[c.id]; old != nil && old.mobile {
		s.mobileN--
	}
	s.creds[c.id] = c
	if c.mobile {
		s.mobileN++
	}
}

// dropCred removes a credential.
func (s *Server) dropCred(id int64) {
	if c := s.creds[id]; c != nil && c.mobile {
		s.mobileN--
	}
	if c := s.creds[id]; c != nil && c.userID != 0 {
		delete(s.held[c.userID], id)
	}
	delete(s.creds, id)
}

func (s *Server) getAllotment(w http.ResponseWriter, _ *http.Request, _ map[string]string) {
	writeJSON(w, http.StatusOK, map[string]int{"allotted": s.opts.Allotted, "assigned": s.mobileAssigned()})
}

func (s *Server) listUserCredentials(w http.ResponseWriter, r *http.Request, params map[string]string) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return
	}
	var out []credentialJSON
	for _, c := range s.heldBy(u.id) {
		out = append(out, credWire(c))
	}
	writePage(w, r, out)
}

func (s *Server) userAndCred(w http.ResponseWriter, params map[string]string) (*user, *credential, bool) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return nil, nil, false
	}
	cid, ok := pathID(w, params, "cred")
	if !ok {
		return nil, nil, false
	}
	c := s.creds[cid]
	if c == nil {
		writeErr(w, http.StatusNotFound, "Requested credential not found")
		return nil, nil, false
	}
	return u, c, true
}

// assignCredential is PUT /users/{u}/credentials/{c} with an optional
// {effectiveFrom, effectiveTo} window; it answers 204. A first assignment
// without a bound leaves it open. Brivo documents no meaning for a bound
// left out of a re-assignment, so the simulator takes the strictest reading:
// an omitted bound keeps its current value, and only an explicit null
// clears it.
func (s *Server) assignCredential(w http.ResponseWriter, r *http.Request, params map[string]string) {
	u, c, ok := s.userAndCred(w, params)
	if !ok {
		return
	}
	if c.userID != 0 && c.userID != u.id {
		writeErr(w, http.StatusBadRequest, "Credential is assigned to another user")
		return
	}
	var body struct {
		EffectiveFrom json.RawMessage `json:"effectiveFrom"`
		EffectiveTo   json.RawMessage `json:"effectiveTo"`
	}
	if raw, _ := io.ReadAll(r.Body); len(raw) > 0 {
		if err := json.Unmarshal(raw, &body); err != nil {
			writeErr(w, http.StatusBadRequest, "Malformed JSON body")
			return
		}
	}
	from, err1 := optionalTime(body.EffectiveFrom)
	to, err2 := optionalTime(body.EffectiveTo)
	if err1 != nil || err2 != nil {
		writeErr(w, http.StatusBadRequest, "Invalid effectiveFrom or effectiveTo")
		return
	}
	if c.userID == u.id {
		keep := func(raw json.RawMessage) bool {
			return len(raw) == 0 || (s.opts.KeepNullBounds && string(raw) == "null")
		}
		if keep(body.EffectiveFrom) {
			from = c.from
		}
		if keep(body.EffectiveTo) {
			to = c.to
		}
	}
	if from != nil && to != nil && !from.Before(*to) {
		writeErr(w, http.StatusBadRequest, "effectiveTo must be after effectiveFrom")
		return
	}
	s.setCredential(c, u.id, from, to, false)
	w.WriteHeader(http.StatusNoContent)
}

func optionalTime(raw json.RawMessage) (*time.Time, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	return decodeTime(raw, string(raw) == "null")
}

// setCredential assigns c to userID with the window and records it.
func (s *Server) setCredential(c *credential, userID int64, from, to *time.Time, console bool) {
	s.setHolder(c, userID)
	c.from, c.to = from, to
	s.recordCred(c.id, c)
	detail := "credential " + itoa(c.id)
	if from != nil {
		detail += " from " + formatTime(*from)
	}
	if to != nil {
		detail += " to " + formatTime(*to)
	}
	s.event("credential.assigned", userID, detail, console)
}

func (s *Server) unassignCredential(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	u, c, ok := s.userAndCred(w, params)
	if !ok {
		return
	}
	if c.userID != u.id {
		writeErr(w, http.StatusBadRequest, "Credential is not assigned to this user")
		return
	}
	s.unassign(c)
	w.WriteHeader(http.StatusNoContent)
}

// unassign takes a credential from its holder. A mobile pass is destroyed
// (the resident must redeem a new invitation); a card goes back to stock.
func (s *Server) unassign(c *credential) {
	uid := c.userID
	s.setHolder(c, 0)
	c.from, c.to = nil, nil
	s.recordCred(c.id, nil)
	if c.mobile {
		s.dropCred(c.id)
		for _, inv := range s.invitationsOf(uid) {
			if inv.credentialID == c.id {
				inv.status = "REVOKED"
			}
		}
	}
	s.event("credential.unassigned", uid, "credential "+itoa(c.id), false)
}

// unassignAll takes every credential from a user and revokes the user's
// pending invitations.
func (s *Server) unassignAll(userID int64) {
	for _, c := range s.heldBy(userID) {
		s.unassign(c)
	}
	for _, inv := range s.invitationsOf(userID) {
		if inv.status == "PENDING" {
			inv.status = "REVOKED"
			s.dropCred(inv.credentialID)
		}
	}
}

// createInvitation issues a mobile pass invitation. It answers 409 when the
// user has a PENDING invitation, and also when the user already holds a
// redeemed mobile pass (with AutoRedeem the first invitation is redeemed
// at once, so a second would be a duplicate pass); 412 when the allotment
// is used up.
func (s *Server) createInvitation(w http.ResponseWriter, r *http.Request, params map[string]string) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return
	}
	var body struct {
		ReferenceID string `json:"referenceId"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.ReferenceID == "" {
		writeErr(w, http.StatusBadRequest, "referenceId is required")
		return
	}
	for _, inv := range s.invitationsOf(u.id) {
		if inv.status == "PENDING" {
			writeErr(w, http.StatusConflict, "An invitation is already pending for this user")
			return
		}
	}
	for _, c := range s.heldBy(u.id) {
		if c.mobile && !c.pending {
			writeErr(w, http.StatusConflict, "The user already holds a mobile pass")
			return
		}
	}
	if s.mobileAssigned() >= s.opts.Allotted {
		writeErr(w, http.StatusPreconditionFailed, "No mobile passes left in the account allotment")
		return
	}
	c := &credential{id: s.newID(), referenceID: body.ReferenceID, formatID: formatMobile,
		formatName: "Brivo Mobile Pass", mobile: true, pending: true}
	s.putCred(c)
	inv := &invitation{id: s.newID(), userID: u.id, referenceID: body.ReferenceID,
		credentialID: c.id, accessCode: randomToken()[:8], created: s.now(), status: "PENDING"}
	s.addInvitation(inv)
	s.event("invitation.created", u.id, "invitation "+itoa(inv.id), false)
	if !s.opts.ManualRedeem {
		s.redeem(inv)
	}
	writeJSON(w, http.StatusOK, invitationWire(inv))
}

// redeem marks an invitation REDEEMED: its credential is assigned to the
// user (keeping any window already set) and becomes usable.
func (s *Server) redeem(inv *invitation) {
	c := s.creds[inv.credentialID]
	if inv.status != "PENDING" || c == nil {
		return
	}
	inv.status = "REDEEMED"
	c.pending = false
	s.setHolder(c, inv.userID)
	s.recordCred(c.id, c)
	s.event("invitation.redeemed", inv.userID, "credential "+itoa(c.id), false)
}

func (s *Server) listInvitations(w http.ResponseWriter, r *http.Request, params map[string]string) {
	u, ok := s.pathUser(w, params)
	if !ok {
		return
	}
	var out []invitationJSON
	for _, inv := range s.invitationsOf(u.id) {
		out = append(out, invitationWire(inv))
	}
	writePage(w, r, out)
}

func (s *Server) listCustomFields(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var out []CustomField
	for _, id := range sortedKeys(s.customFields) {
		out = append(out, *s.customFields[id])
	}
	writePage(w, r, out)
}

func (s *Server) createCustomField(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var body struct {
		FieldName string `json:"fieldName"`
		FieldType string `json:"fieldType"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.FieldName == "" {
		writeErr(w, http.StatusBadRequest, "fieldName is required")
		return
	}
	for _, f := range s.customFields {
		if f.FieldName == body.FieldName {
			writeErr(w, http.StatusBadRequest, "A custom field with this name already exists")
			return
		}
	}
	if body.FieldType == "" {
		body.FieldType = "text"
	}
	f := &CustomField{ID: s.newID(), FieldName: body.FieldName, FieldType: body.FieldType}
	s.customFields[f.ID] = f
	writeJSON(w, http.StatusOK, f)
}
