package brivosim

import (
	"slices"
	"time"
)

// Site is a simulated Brivo site.
type Site struct {
	ID       int64  `json:"id"`
	SiteName string `json:"siteName"`
}

// AccessPoint is a simulated door.
type AccessPoint struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	Type           string `json:"type"`
	ControlPanelID int64  `json:"controlPanelId"`
	SiteID         int64  `json:"siteId"`
	SiteName       string `json:"siteName"`
}

// Group is a simulated group: a named set of access points.
type Group struct {
	ID             int64   `json:"id"`
	Name           string  `json:"name"`
	AccessPointIDs []int64 `json:"accessPointIds,omitempty"`
}

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

// CustomField is a custom field definition.
type CustomField struct {
	ID        int64  `json:"id"`
	FieldName string `json:"fieldName"`
	FieldType string `json:"fieldType"`
}

// user is the simulator's record of a Brivo user.
type user struct {
	id                         int64
	externalID                 string
	firstName, middle, last    string
	pin                        string
	effectiveFrom, effectiveTo *time.Time
	suspended                  bool
	emails                     []Email
	phones                     []Phone
	custom                     map[int64]string
	created, updated           time.Time
	groups                     map[int64]bool
}

// credential is a card or mobile pass, possibly assigned to a user.
type credential struct {
	id          int64
	referenceID string
	formatID    int64
	formatName  string
	mobile      bool
	userID      int64 // 0 when unassigned
	from, to    *time.Time
	// pending is true for a mobile pass whose invitation is not redeemed:
	// it may be assigned but cannot open a door yet.
	pending bool
}

// invitation is a digital (mobile pass) invitation.
type invitation struct {
	id           int64
	userID       int64
	referenceID  string
	credentialID int64
	accessCode   string
	created      time.Time
	status       string // PENDING, REDEEMED, REVOKED
}

type state struct {
	sites        map[int64]*Site
	aps          map[int64]*AccessPoint
	groups       map[int64]*Group
	users        map[int64]*user
	byExt        map[string]int64
	creds        map[int64]*credential
	mobileN      int // mobile credentials in creds (the allotment in use)
	invitations  map[int64]*invitation
	customFields map[int64]*CustomField
	// members inverts the users' groups: group id -> its users' ids, so a
	// member list costs its members, not the whole account.
	members map[int64]map[int64]bool
	// held and invsOf index credentials by holder and invitations by user,
	// so a user's credentials and invitations cost that user's, not the
	// whole account's.
	held   map[int64]map[int64]bool // user id -> ids of the credentials it holds
	invsOf map[int64][]int64        // user id -> its invitations' ids, oldest first
}

func newState() state {
	return state{
		sites:        map[int64]*Site{},
		aps:          map[int64]*AccessPoint{},
		groups:       map[int64]*Group{},
		users:        map[int64]*user{},
		byExt:        map[string]int64{},
		creds:        map[int64]*credential{},
		invitations:  map[int64]*invitation{},
		customFields: map[int64]*CustomField{},
		members:      map[int64]map[int64]bool{},
		held:         map[int64]map[int64]bool{},
		invsOf:       map[int64][]int64{},
	}
}

// setHolder gives c to userID (0: nobody), keeping the held index.
func (st *state) setHolder(c *credential, userID int64) {
	if c.userID != 0 {
		delete(st.held[c.userID], c.id)
	}
	c.userID = userID
	if userID != 0 {
		if st.held[userID] == nil {
			st.held[userID] = map[int64]bool{}
		}
		st.held[userID][c.id] = true
	}
}

// heldBy lists the credentials the user holds, in id order.
func (st *state) heldBy(userID int64) []*credential {
	var out []*credential
	for _, id := range sortedKeys(st.held[userID]) {
		if c := st.creds[id]; c != nil && c.userID == userID {
			out = append(out, c)
		}
	}
	return out
}

// addInvitation records a new invitation.
func (st *state) addInvitation(inv *invitation) {
	st.invitations[inv.id] = inv
	st.invsOf[inv.userID] = append(st.invsOf[inv.userID], inv.id)
}

// invitationsOf lists the user's invitations, oldest first.
func (st *state) invitationsOf(userID int64) []*invitation {
	var out []*invitation
	for _, id := range st.invsOf[userID] {
		out = append(out, st.invitations[id])
	}
	return out
}

// setMember keeps the members index in step with a user's groups.
func (st *state) setMember(userID, groupID int64, in bool) {
	if !in {
		delete(st.members[groupID], userID)
		return
	}
	if st.members[groupID] == nil {
		st.members[groupID] = map[int64]bool{}
	}
	st.members[groupID][userID] = true
}

// Credential formats the simulator knows.
const (
	formatCard   int64 = 100
	formatMobile int64 = 110
)

var credentialFormats = []map[string]any{
	{"id": formatCard, "name": "Standard 26 Bit"},
	{"id": formatMobile, "name": "Brivo Mobile Pass"},
}

// sortedKeys returns a map's int64 keys in ascending order, so every list
// the simulator answers is stable.
func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// userJSON is the wire shape of a user; empty fields are omitted.
type userJSON struct {
	ID            int64             `json:"id"`
	ExternalID    string            `json:"externalId,omitempty"`
	FirstName     string            `json:"firstName,omitempty"`
	MiddleName    string            `json:"middleName,omitempty"`
	LastName      string            `json:"lastName,omitempty"`
	Pin           string            `json:"pin,omitempty"`
	EffectiveFrom *isoTime          `json:"effectiveFrom,omitempty"`
	EffectiveTo   *isoTime          `json:"effectiveTo,omitempty"`
	Suspended     bool              `json:"suspended"`
	Emails        []Email           `json:"emails,omitempty"`
	PhoneNumbers  []Phone           `json:"phoneNumbers,omitempty"`
	CustomFields  []customFieldJSON `json:"customFields,omitempty"`
	Created       isoTime           `json:"created"`
	Updated       isoTime           `json:"updated"`
}

type customFieldJSON struct {
	ID        int64  `json:"id"`
	FieldName string `json:"fieldName,omitempty"`
	Value     string `json:"value"`
}

func (s *Server) userWire(u *user) userJSON {
	out := userJSON{
		ID: u.id, ExternalID: u.externalID, FirstName: u.firstName, MiddleName: u.middle,
		LastName: u.last, Pin: u.pin, EffectiveFrom: isoPtr(u.effectiveFrom),
		EffectiveTo: isoPtr(u.effectiveTo), Suspended: u.suspended,
		Emails: u.emails, PhoneNumbers: u.phones,
		Created: isoTime(u.created), Updated: isoTime(u.updated),
	}
	for _, id := range sortedKeys(u.custom) {
		name := ""
		if f := s.customFields[id]; f != nil {
			name = f.FieldName
		}
		out.CustomFields = append(out.CustomFields, customFieldJSON{ID: id, FieldName: name, Value: u.custom[id]})
	}
	return out
}

// credentialJSON is the wire shape of a credential; the window is present
// when the credential is assigned with one.
type credentialJSON struct {
	ID               int64          `json:"id"`
	ReferenceID      string         `json:"referenceId,omitempty"`
	CredentialFormat map[string]any `json:"credentialFormat"`
	EffectiveFrom    *isoTime       `json:"effectiveFrom,omitempty"`
	EffectiveTo      *isoTime       `json:"effectiveTo,omitempty"`
}

func credWire(c *credential) credentialJSON {
	return credentialJSON{
		ID: c.id, ReferenceID: c.referenceID,
		CredentialFormat: map[string]any{"id": c.formatID, "name": c.formatName},
		EffectiveFrom:    isoPtr(c.from), EffectiveTo: isoPtr(c.to),
	}
}

type invitationJSON struct {
	ID           int64   `json:"id"`
	ReferenceID  string  `json:"referenceId"`
	CredentialID int64   `json:"credentialId"`
	AccessCode   string  `json:"accessCode"`
	Created      isoTime `json:"created"`
	Expiration   isoTime `json:"expiration"`
	Status       string  `json:"status"`
	NfcEnabled   bool    `json:"nfcEnabled"`
}

func invitationWire(inv *invitation) invitationJSON {
	return invitationJSON{
		ID: inv.id, ReferenceID: inv.referenceID, CredentialID: inv.credentialID,
		AccessCode: inv.accessCode, Created: isoTime(inv.created),
		Expiration: isoTime(inv.created.Add(72 * time.Hour)), Status: inv.status,
	}
}
