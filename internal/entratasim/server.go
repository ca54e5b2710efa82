package entratasim

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// Options configures a Server.
type Options struct {
	APIKey   string // gateway key accepted in X-Api-Key; empty disables apikey mode
	Username string // legacy Basic user; empty disables basic mode
	Password string
	Org      string // org accepted in /ext/orgs/{org}/v1; empty accepts any
	// Now is the simulated clock (default time.Now); SetNowOffset shifts it.
	Now func() time.Time
	// Limits overrides rate-limit windows per service ("leases") or for all
	// services ("*"), e.g. "10000/day;1000/hour;300/minute".
	Limits map[string]string
	Logger *slog.Logger
}

// Server is an in-memory Entrata. It implements http.Handler; all state sits
// behind one mutex.
type Server struct {
	opts Options

	mu          sync.Mutex
	props       []*PropertyData
	empty       map[string]bool
	faults      map[string]*Fault
	calls       map[string]int
	quotas      map[string]*quota
	noticeDates map[string]entrata.Date // lease id -> day notice was given
	offset      atomic.Int64            // nanoseconds added to Options.Now
	seq         idSeq
}

// New returns a Server with an empty portfolio. It panics on an invalid
// Limits spec, which is a programming error.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, empty: map[string]bool{}, faults: map[string]*Fault{},
		calls: map[string]int{}, quotas: map[string]*quota{}, noticeDates: map[string]entrata.Date{}}
	for service, spec := range defaultLimits {
		if o, ok := opts.Limits[service]; ok {
			spec = o
		} else if o, ok := opts.Limits["*"]; ok {
			spec = o
		}
		q, err := parseQuota(spec)
		if err != nil {
			panic("entratasim: " + err.Error())
		}
		s.quotas[service] = q
	}
	s.seq.reset(nil)
	return s
}

// now is the simulated time; it needs no lock.
func (s *Server) now() time.Time { return s.opts.Now().Add(time.Duration(s.offset.Load())) }

// today is the simulated calendar date in Mountain Time, Entrata's zone.
func (s *Server) today() entrata.Date { return entrata.DateOf(s.now().In(mountain)) }

var mountain = func() *time.Location {
	if l, err := time.LoadLocation("America/Denver"); err == nil {
		return l
	}
	return time.FixedZone("MST", -7*3600)
}()

// SetNowOffset shifts the simulated clock by d from Options.Now.
func (s *Server) SetNowOffset(d time.Duration) { s.offset.Store(int64(d)) }

// Calls returns how many API calls each "service/method" received.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// apiRequest is Entrata's request envelope.
type apiRequest struct {
	Auth struct {
		Type string `json:"type"`
	} `json:"auth"`
	RequestID json.RawMessage `json:"requestId"`
	Method    struct {
		Name    string                     `json:"name"`
		Version string                     `json:"version"`
		Params  map[string]json.RawMessage `json:"params"`
	} `json:"method"`
}

// ServeHTTP serves the Entrata API and, under /_sim/, the control API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveControl(w, r)
		return
	}
	service, mode, org, ok := route(r.URL.Path)
	if !ok {
		writeEnvelopeError(w, http.StatusNotFound, "", 404, "The requested URL was not found.")
		return
	}
	if _, known := s.quotas[service]; !known {
		writeEnvelopeError(w, http.StatusNotFound, "", 404, "Service '"+service+"' is not available.")
		return
	}
	var req apiRequest
	decodeErr := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req)
	reqID := requestIDString(req.RequestID)
	method := req.Method.Name
	if method == "" {
		method = "?"
	}

	s.mu.Lock()
	s.calls[service+"/"+method]++
	latency := s.faultFor(service).Latency
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.setQuotaHeaders(w, service)
	switch {
	case r.Method != http.MethodPost:
		writeEnvelopeError(w, http.StatusMethodNotAllowed, reqID, 405, "Only POST is supported.")
		return
	case !s.authorized(r, mode, org):
		writeEnvelopeError(w, http.StatusUnauthorized, reqID, 401, authFailureMessage(mode))
		return
	case decodeErr != nil:
		writeEnvelopeError(w, http.StatusBadRequest, reqID, 301, "Invalid JSON in request body.")
		return
	case req.Auth.Type != mode:
		writeEnvelopeError(w, http.StatusUnauthorized, reqID, 401, "Invalid auth type: this endpoint expects '"+mode+"'.")
		return
	}
	if !s.quotas[service].take(s.now()) {
		s.setQuotaHeaders(w, service)
		writeEnvelopeError(w, http.StatusTooManyRequests, reqID, 429, "API rate limit exceeded. Please retry after the reset time.")
		return
	}
	s.setQuotaHeaders(w, service)
	f := s.faultFor(service)
	switch {
	case f.FailNext > 0:
		f.FailNext--
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>\n", status, http.StatusText(status))
		return
	case f.ErrorEnvelopeNext > 0:
		f.ErrorEnvelopeNext--
		code := f.ErrorCode
		if code == 0 {
			code = 500
		}
		writeEnvelopeError(w, http.StatusOK, reqID, code, "An error occurred while processing the request.")
		return
	}
	inject := false
	if service == "leases" && f.MalformedNext > 0 && req.Method.Name == "getLeases" {
		f.MalformedNext--
		inject = true
	}
	s.dispatch(w, r, call{service: service, reqID: reqID, req: req, injectMalformed: inject})
}

// route splits {anything}/ext/orgs/{org}/v1/{service} (apikey) and
// {anything}/api/v1/{service} (basic).
func route(path string) (service, mode, org string, ok bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	n := len(segs)
	switch {
	case n >= 5 && segs[n-5] == "ext" && segs[n-4] == "orgs" && segs[n-2] == "v1":
		return segs[n-1], "apikey", segs[n-3], true
	case n >= 3 && segs[n-3] == "api" && segs[n-2] == "v1":
		return segs[n-1], "basic", "", true
	}
	return "", "", "", false
}

func (s *Server) authorized(r *http.Request, mode, org string) bool {
	eq := func(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
	if mode == "apikey" {
		return s.opts.APIKey != "" && eq(r.Header.Get("X-Api-Key"), s.opts.APIKey) &&
			(s.opts.Org == "" || org == s.opts.Org)
	}
	u, p, ok := r.BasicAuth()
	return ok && s.opts.Username != "" && eq(u, s.opts.Username) && eq(p, s.opts.Password)
}

func authFailureMessage(mode string) string {
	if mode == "apikey" {
		return "Authorization failed: the API key is invalid or not allowed for this organization."
	}
	return "Authorization failed: username and/or password is incorrect."
}

func (s *Server) setQuotaHeaders(w http.ResponseWriter, service string) {
	l, rem, reset := s.quotas[service].headers(s.now())
	w.Header().Set("X-Ratelimit-Limit", l)
	w.Header().Set("X-Ratelimit-Remaining", rem)
	w.Header().Set("X-Ratelimit-Reset", reset)
}

// requestIDString echoes requestId as a string, as Entrata does.
func requestIDString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeEnvelopeError(w http.ResponseWriter, status int, reqID string, code int, msg string) {
	writeJSON(w, status, map[string]any{"response": map[string]any{
		"requestId": reqID, "error": map[string]any{"code": code, "message": msg}}})
}

func writeResult(w http.ResponseWriter, reqID string, result any) {
	writeJSON(w, http.StatusOK, map[string]any{"response": map[string]any{
		"requestId": reqID, "code": 200, "result": result}})
}
