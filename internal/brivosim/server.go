// Package brivosim is an in-memory stand-in for the Brivo Access API and its
// OAuth server, used by tests and by a standalone binary. It enforces the
// rules the real service enforces (token lifetime, api-key, 16-group limit,
// PUT-replaces semantics, 596 on a wrong verb, ...), injects faults per path,
// and keeps a timeline of every state change so that its referee can say who
// could open which access point, and when.
package brivosim

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a simulator. Zero values get the documented defaults.
type Options struct {
	// APIKey, ClientID, ClientSecret, Username and Password are the
	// credentials the simulator accepts.
	APIKey, ClientID, ClientSecret, Username, Password string
	// TokenLifetime is the access-token lifetime; 300 s when zero.
	TokenLifetime time.Duration
	// Now is the simulator's clock for records and the referee; time.Now
	// when nil. Rate ceilings and latency always use the wall clock.
	Now func() time.Time
	// ManualRedeem keeps digital invitations PENDING until
	// RedeemInvitations is called. By default (false) an invitation is
	// redeemed as soon as it is created: its mobile-pass credential is
	// assigned to the user with no window, and the invitation is REDEEMED.
	ManualRedeem bool
	// Allotted is the account's mobile-pass allotment; 500 when zero.
	Allotted int
	// LenientCreateCustomFields makes POST and PUT /users keep a body's
	// customFields, as an earlier simulator did. Brivo documents no
	// customFields on those bodies, so by default (false) they are ignored.
	LenientCreateCustomFields bool
	// KeepNullBounds makes a credential re-assignment ignore an explicit
	// null bound too (keep the old value): a reading of the undocumented
	// case under which the product cannot clear a bound, so it must notice
	// and report it rather than re-send forever.
	KeepNullBounds bool
	// LooseCustomFieldFilters makes cf_ exact a contains match too: a
	// Brivo whose filter returns more than asked, so tests can show that
	// ownership is decided from each user's value, never a filter alone.
	LooseCustomFieldFilters bool
}

// Server is the simulator: an http.Handler serving /oauth/token, the API
// under /v1/api and the control API under /_sim/.
type Server struct {
	mu   sync.Mutex
	opts Options
	now  func() time.Time

	api     router
	control *http.ServeMux

	nextID int64
	state
	hist history
	auth authState
	ops  opsState
	rate rateState
	rec  recordFaults // faults4xx.go
}

// APIPrefix is where the simulated API lives.
const APIPrefix = "/v1/api"

// New returns a simulator with no sites, groups or users.
func New(opts Options) *Server {
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = 300 * time.Second
	}
	if opts.Allotted <= 0 {
		opts.Allotted = 500
	}
	s := &Server{opts: opts, now: opts.Now, nextID: 1000}
	if s.now == nil {
		s.now = time.Now
	}
	s.state = newState()
	s.hist = newHistory()
	s.auth = newAuthState()
	s.ops = newOpsState()
	s.registerAPI()
	s.registerControl()
	return s
}

// newID hands out ids; all kinds share one sequence so ids never collide
// across kinds, which makes mistakes (a group id used as a user id) visible.
func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now() // the gateway's clock: before any lock
	switch {
	case r.URL.Path == "/oauth/token":
		s.serveToken(w, r)
	case strings.HasPrefix(r.URL.Path, "/_sim/"):
		s.control.ServeHTTP(w, r)
	case r.URL.Path == APIPrefix || strings.HasPrefix(r.URL.Path, APIPrefix+"/"):
		s.serveAPI(w, r, arrived)
	default:
		writeJSON(w, http.StatusNotFound, apiError{Code: 404, Message: "Not found"})
	}
}

// serveAPI runs the gateway checks in the order Mashery applies them (key,
// rate, faults, verb), then the bearer token, then the handler under the lock.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, arrived time.Time) {
	path := strings.TrimPrefix(r.URL.Path, APIPrefix)
	if path == "" {
		path = "/"
	}
	s.mu.Lock()
	s.ops.count(r.Method + " " + s.api.templateFor(path))
	s.mu.Unlock()

	if !s.checkAPIKey(w, r) {
		return
	}
	if s.overCeiling(arrived) {
		writeOverQps(w, time.Second)
		return
	}
	if s.applyFault(w, r, r.URL.Path) {
		return
	}
	rt, params, known := s.api.match(r.Method, path)
	if rt == nil {
		if known {
			writeHTML(w, 596, "<h1>596 Service Not Found</h1>")
			return
		}
		writeJSON(w, http.StatusNotFound, apiError{Code: 404, Message: "Not found"})
		return
	}
	if s.applyRecordFault(w, r.Method, path) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.checkBearer(w, r) {
		return
	}
	rt.handler(w, r, params)
}

func (s *Server) checkAPIKey(w http.ResponseWriter, r *http.Request) bool {
	if s.opts.APIKey != "" && r.Header.Get("api-key") == s.opts.APIKey {
		return true
	}
	writeHTML(w, http.StatusForbidden, "<h1>Developer Inactive</h1>")
	return false
}
