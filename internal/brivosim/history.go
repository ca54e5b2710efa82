package brivosim

import "time"

// The history is the simulator's timeline: for every fact that decides
// access it keeps the intervals during which the fact held. Facts change
// only through the record* methods, which every mutation (API call, console
// edit, seeding) goes through. An interval with a zero end is still open.

type span struct{ from, to time.Time }

// userSeg is a stretch of time during which a user existed with this
// externalId and suspension state.
type userSeg struct {
	span
	ext       string
	suspended bool
}

// credSeg is a stretch of time during which a credential had this holder
// and window. usable is false for an unredeemed mobile pass.
type credSeg struct {
	span
	userID         int64
	winFrom, winTo *time.Time
	usable         bool
}

type pair [2]int64

// Event is one entry of the human-readable timeline (ids only, no names).
type Event struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"`
	UserID int64     `json:"userId,omitempty"`
	Detail string    `json:"detail,omitempty"`
	// Console is true for edits made as a person in the Brivo console would.
	Console bool `json:"console,omitempty"`
}

type history struct {
	users   map[int64][]userSeg
	members map[pair][]span // (user, group)
	grants  map[pair][]span // (group, access point)
	creds   map[int64][]credSeg

	// indexes of everything that ever happened, for the referee
	userGroups map[int64]map[int64]bool
	groupAPs   map[int64]map[int64]bool
	userCreds  map[int64]map[int64]bool
	byExt      map[string]map[int64]bool

	events []Event
}

func newHistory() history {
	return history{
		users: map[int64][]userSeg{}, members: map[pair][]span{}, grants: map[pair][]span{},
		creds: map[int64][]credSeg{}, userGroups: map[int64]map[int64]bool{},
		groupAPs: map[int64]map[int64]bool{}, userCreds: map[int64]map[int64]bool{},
		byExt: map[string]map[int64]bool{},
	}
}

func addIndex[K comparable](m map[K]map[int64]bool, k K, v int64) {
	if m[k] == nil {
		m[k] = map[int64]bool{}
	}
	m[k][v] = true
}

// setSpan closes or opens the fact's current interval at t.
func setSpan(spans []span, t time.Time, on bool) []span {
	open := len(spans) > 0 && spans[len(spans)-1].to.IsZero()
	switch {
	case on && !open:
		return append(spans, span{from: t})
	case !on && open:
		spans[len(spans)-1].to = t
	}
	return spans
}

// recordUser notes the user's current state (u == nil: deleted).
func (s *Server) recordUser(id int64, u *user) {
	t := s.now()
	segs := s.hist.users[id]
	if n := len(segs); n > 0 && segs[n-1].to.IsZero() {
		last := segs[n-1]
		if u != nil && last.ext == u.externalID && last.suspended == u.suspended {
			return
		}
		segs[n-1].to = t
	}
	if u != nil {
		segs = append(segs, userSeg{span: span{from: t}, ext: u.externalID, suspended: u.suspended})
		addIndex(s.hist.byExt, personKey(u.externalID, id), id)
	}
	s.hist.users[id] = segs
}

// personKey names a person for the referee: the externalId, or "id:N" for a
// user without one.
func personKey(ext string, id int64) string {
	if ext != "" {
		return ext
	}
	return "id:" + itoa(id)
}

func (s *Server) recordMember(userID, groupID int64, on bool) {
	k := pair{userID, groupID}
	s.hist.members[k] = setSpan(s.hist.members[k], s.now(), on)
	addIndex(s.hist.userGroups, userID, groupID)
}

func (s *Server) recordGrant(groupID, apID int64, on bool) {
	k := pair{groupID, apID}
	s.hist.grants[k] = setSpan(s.hist.grants[k], s.now(), on)
	addIndex(s.hist.groupAPs, groupID, apID)
}

// recordCred notes the credential's current holder and window (c == nil or
// unassigned: held by nobody).
func (s *Server) recordCred(id int64, c *credential) {
	t := s.now()
	segs := s.hist.creds[id]
	if n := len(segs); n > 0 && segs[n-1].to.IsZero() {
		segs[n-1].to = t
	}
	if c != nil && c.userID != 0 {
		segs = append(segs, credSeg{span: span{from: t}, userID: c.userID,
			winFrom: c.from, winTo: c.to, usable: !c.pending})
		addIndex(s.hist.userCreds, c.userID, id)
	}
	s.hist.creds[id] = segs
}

func (s *Server) event(kind string, userID int64, detail string, console bool) {
	s.hist.events = append(s.hist.events, Event{Time: s.now(), Kind: kind, UserID: userID, Detail: detail, Console: console})
}

// Timeline returns every recorded state change in order.
func (s *Server) Timeline() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.hist.events...)
}
