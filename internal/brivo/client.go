// Package brivo is a client for the Brivo Access API (OAuth2 password grant
// plus api-key, JSON over HTTPS), shaped like go-github: NewClient with
// options, one service per API area, every call ctx-first and returning the
// typed value, the response metadata and a typed error.
package brivo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Default endpoints and limits.
const (
	DefaultBaseURL           = "https://api.brivo.com/v1/api"
	DefaultAuthURL           = "https://auth.brivo.com"
	DefaultTimeout           = 30 * time.Second
	DefaultRequestsPerSecond = 10
	// DefaultAuditShare is the share of the rate audit reads may use.
	DefaultAuditShare = 0.5
	// MaxPageSize is the largest page Brivo serves.
	MaxPageSize = 100
)

// Client talks to one Brivo account. It is safe for concurrent use.
type Client struct {
	baseURL  *url.URL
	http     *http.Client // api-key transport, no bearer: used for API and token calls
	auth     *tokenSource
	gate     *gate
	logger   *slog.Logger
	observer func(Call)

	// Services, one per API area.
	Users        *UsersService
	Groups       *GroupsService
	Sites        *SitesService
	AccessPoints *AccessPointsService
	CustomFields *CustomFieldsService
	Credentials  *CredentialsService
	MobilePass   *MobilePassService
}

type service struct{ client *Client }

// Response wraps the HTTP response with the paging fields of a list.
type Response struct {
	*http.Response
	Offset, PageSize, Count int
}

// ListOptions pages and filters a list call. Filter uses Brivo's syntax,
// e.g. "user_status__eq:suspended"; PageSize is capped at MaxPageSize.
type ListOptions struct {
	Filter   string
	Offset   int
	PageSize int
}

func (o *ListOptions) query() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	if o.Filter != "" {
		q.Set("filter", o.Filter)
	}
	if o.Offset > 0 {
		q.Set("offset", fmt.Sprint(o.Offset))
	}
	if o.PageSize > 0 {
		q.Set("pageSize", fmt.Sprint(min(o.PageSize, MaxPageSize)))
	}
	return q
}

// NewClient returns a client configured by opts. Credentials are required;
// everything else has a default.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{
		baseURL: DefaultBaseURL, authURL: DefaultAuthURL, timeout: DefaultTimeout,
		perSecond: DefaultRequestsPerSecond, auditShare: DefaultAuditShare, logger: slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if err := cfg.creds.validate(); err != nil {
		return nil, err
	}
	base, err := parseBase(cfg.baseURL, "base URL")
	if err != nil {
		return nil, err
	}
	authBase, err := parseBase(cfg.authURL, "auth URL")
	if err != nil {
		return nil, err
	}
	hc := cfg.httpClient
	if hc == nil {
		hc = &http.Client{Timeout: cfg.timeout}
	} else {
		clone := *hc
		hc = &clone
		if cfg.timeoutSet {
			hc.Timeout = cfg.timeout
		}
	}
	inner := hc.Transport
	if inner == nil {
		inner = newTransport()
	}
	hc.Transport = &apiKeyTransport{key: cfg.creds.APIKey, next: inner}

	c := &Client{
		baseURL:  base,
		http:     hc,
		gate:     newGate(cfg.perSecond, cfg.auditShare),
		logger:   cfg.logger,
		observer: cfg.observer,
	}
	c.auth = newTokenSource(authBase.String()+"/oauth/token", cfg.creds, hc, cfg.logger)
	s := service{client: c}
	c.Users = (*UsersService)(&s)
	c.Groups = (*GroupsService)(&s)
	c.Sites = (*SitesService)(&s)
	c.AccessPoints = (*AccessPointsService)(&s)
	c.CustomFields = (*CustomFieldsService)(&s)
	c.Credentials = (*CredentialsService)(&s)
	c.MobilePass = (*MobilePassService)(&s)
	return c, nil
}

func parseBase(raw, what string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("brivo: invalid %s %q", what, raw)
	}
	return u, nil
}

// newRequest builds a request for a path under the base URL (path may
// contain a query). A non-nil body is sent as JSON.
func (c *Client) newRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	u := *c.baseURL
	p, q, _ := strings.Cut(path, "?")
	u.Path += p
	u.RawQuery = q
	var buf io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("brivo: encode %s %s: %w", method, p, err)
		}
		buf = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), buf)
	if err != nil {
		return nil, fmt.Errorf("brivo: %s %s: %w", method, p, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// keptConns is how many idle connections to Brivo a client keeps. A worker
// has many activities calling at once; with net/http's default of 2, every
// call beyond two in flight would open (and TLS-handshake) a connection of
// its own and close it after, which costs time on each call and makes the
// calls reach the gateway unevenly.
const keptConns = 64

func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = keptConns
	t.MaxIdleConnsPerHost = keptConns
	return t
}

// do sends req with a bearer token, waiting for the rate limiter first. On
// 401 invalid_token it refreshes the token once and resends. It decodes a
// successful JSON body into v (when non-nil) and turns failures into typed
// errors via checkResponse. tmpl names the path template for the observer.
func (c *Client) do(req *http.Request, tmpl string, v any) (*Response, error) {
	resp, err := c.send(req, false)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		// Expired or revoked token (401 invalid_token): refresh once, resend.
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		c.logger.Debug("brivo: access token refused; refreshing", "method", req.Method, "path", tmpl)
		c.auth.invalidate(strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer "))
		if req.GetBody != nil {
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, gerr
			}
			req.Body = body
		}
		resp, err = c.send(req, true)
	}
	if err != nil {
		c.observe(req.Context(), req.Method, tmpl, err)
		return nil, err
	}
	defer resp.Body.Close()
	r := &Response{Response: resp}
	if err := checkResponse(resp, req.Method, req.URL.Path); err != nil {
		if wait, ok := gatewayThrottle(err); ok {
			// The gateway counts the account's calls, not this one's: every
			// call of this process waits, not only the one refused, or the
			// next ones would be refused as well.
			c.gate.holdAtLeast(time.Now().Add(wait))
			c.logger.Debug("brivo: the gateway throttled the account; holding calls", "method", req.Method, "path", tmpl,
				"wait", wait)
		}
		c.observe(req.Context(), req.Method, tmpl, err)
		return r, err
	}
	if v != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil && !errors.Is(err, io.EOF) {
			err = fmt.Errorf("brivo: decode %s %s: %w", req.Method, tmpl, err)
			c.observe(req.Context(), req.Method, tmpl, err)
			return r, err
		}
	}
	c.observe(req.Context(), req.Method, tmpl, nil)
	return r, nil
}

func (c *Client) send(req *http.Request, retry bool) (*http.Response, error) {
	asked := time.Now()
	if err := c.gate.wait(req.Context(), PriorityOf(req.Context())); err != nil {
		return nil, fmt.Errorf("brivo: %s %s: rate limiter: %w", req.Method, req.URL.Path, err)
	}
	tok, err := c.auth.token(req.Context())
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	sent := time.Now()
	resp, err := c.http.Do(req)
	recordCall(req.Context(), sent.Sub(asked), time.Since(sent), float64(c.gate.limiter.Limit()))
	if err != nil {
		return nil, &TransportError{Method: req.Method, Path: req.URL.Path, Err: scrubURLError(err)}
	}
	if retry && resp.StatusCode == http.StatusUnauthorized {
		c.logger.Warn("brivo: fresh access token refused", "method", req.Method, "path", req.URL.Path)
	}
	return resp, nil
}

// SetRateLimit changes the client's rate, e.g. when the worker's lease of the
// account's budget changes. A rate of 0 holds every call until a rate is set.
func (c *Client) SetRateLimit(perSecond float64) { c.gate.setRate(perSecond) }

// SetUrgentReserve sets the rate that urgent calls (PriorityUrgent) may
// spend on top of the rate limit, e.g. the worker's part of the headroom
// the shared budget leaves unleased. It is spent only while the rate limit
// is above 0.
func (c *Client) SetUrgentReserve(perSecond float64) { c.gate.setUrgentReserve(perSecond) }

// Foresee records that about calls urgent calls are expected at at, for key
// (a property; a later Foresee for the same key replaces it, and calls 0
// forgets it): a worker that leases its share of the account's budget asks
// for the rate they need shortly before at, so that the calls of a
// transition do not wait for the rate at its instant.
func (c *Client) Foresee(key string, at time.Time, calls int) { c.gate.foresee(key, at, calls) }

// Foreseen counts the urgent calls expected (Foresee) from now until now +
// within, and those whose instant passed less than 2 s ago.
func (c *Client) Foreseen(now time.Time, within time.Duration) int {
	return c.gate.foreseenWithin(now, within)
}

// Load reports how many calls the client has let go so far and how many
// wait for the rate now: the demand a worker states when it leases its
// share of the account's budget.
func (c *Client) Load() (served uint64, waiting int) { return c.gate.load() }

// Call describes one API call for an observer.
type Call struct {
	Method string
	// Path is the path template, e.g. "/users/{id}".
	Path string
	// Outcome is "ok", "retryable", "permanent", "not_found" or "error".
	Outcome string
	// Purpose is what the caller set with WithPurpose, or "other".
	Purpose string
}

type purposeKey struct{}

// WithPurpose labels the Brivo calls made with ctx (e.g. "transition",
// "audit-read"), so that metrics can say why calls were made.
func WithPurpose(ctx context.Context, purpose string) context.Context {
	return context.WithValue(ctx, purposeKey{}, purpose)
}

// PurposeOf returns the purpose WithPurpose set on ctx, or "other".
func PurposeOf(ctx context.Context) string {
	if p, ok := ctx.Value(purposeKey{}).(string); ok && p != "" {
		return p
	}
	return "other"
}

func (c *Client) observe(ctx context.Context, method, tmpl string, err error) {
	if c.observer != nil {
		c.observer(Call{Method: method, Path: tmpl, Outcome: Outcome(err), Purpose: PurposeOf(ctx)})
	}
}

// Outcome classifies an error for metrics: "ok", "not_found", "conflict"
// (409: for a digital invitation, one is already pending, which the caller
// takes as done), "retryable", "permanent" or "error" (transport or context
// failures).
func Outcome(err error) string {
	var er *ErrorResponse
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrConflict):
		return "conflict"
	case errors.As(err, &er) && er.Retryable:
		return "retryable"
	case IsPermanent(err):
		return "permanent"
	}
	return "error"
}

// listEnvelope is Brivo's list shape.
type listEnvelope[T any] struct {
	Data     []T `json:"data"`
	Offset   int `json:"offset"`
	PageSize int `json:"pageSize"`
	Count    int `json:"count"`
}

// getList GETs one page of a list endpoint.
func getList[T any](ctx context.Context, c *Client, path, tmpl string, opts *ListOptions) ([]T, *Response, error) {
	if q := opts.query().Encode(); q != "" {
		path += "?" + q
	}
	req, err := c.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, nil, err
	}
	var env listEnvelope[T]
	resp, err := c.do(req, tmpl, &env)
	if err != nil {
		return nil, resp, err
	}
	resp.Offset, resp.PageSize, resp.Count = env.Offset, env.PageSize, env.Count
	return env.Data, resp, nil
}

// listAll pages through a list with the largest page size until count is
// reached (see eachPage).
func listAll[T any](ctx context.Context, c *Client, path, tmpl, filter string) ([]T, *Response, error) {
	all := []T{}
	resp, err := eachPage(ctx, c, path, tmpl, filter, func(items []T, _ int) bool {
		all = append(all, items...)
		return true
	})
	if err != nil {
		return nil, resp, err
	}
	return all, resp, nil
}

// eachPage pages through a list with the largest page size, handing each
// page and the list's count to page, until count is reached or page returns
// false. It stops on an empty page, and after count/1 + 1 pages at most, so
// a server that misreports count cannot make it loop forever.
func eachPage[T any](ctx context.Context, c *Client, path, tmpl, filter string, page func(items []T, count int) bool) (*Response, error) {
	read, maxPages := 0, -1
	for pageNo := 0; ; pageNo++ {
		items, resp, err := getList[T](ctx, c, path, tmpl,
			&ListOptions{Filter: filter, Offset: read, PageSize: MaxPageSize})
		if err != nil {
			return resp, err
		}
		read += len(items)
		if maxPages < 0 {
			maxPages = resp.Count/max(1, len(items)) + 2
		}
		if !page(items, resp.Count) || len(items) == 0 || read >= resp.Count || pageNo >= maxPages {
			return resp, nil
		}
	}
}

// sendNoBody sends a request whose success answer carries no body we need.
func (c *Client) sendNoBody(ctx context.Context, method, path, tmpl string, body any) (*Response, error) {
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return nil, err
	}
	return c.do(req, tmpl, nil)
}

// sendJSON sends a request and decodes the answer into v.
func (c *Client) sendJSON(ctx context.Context, method, path, tmpl string, body, v any) (*Response, error) {
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return nil, err
	}
	return c.do(req, tmpl, v)
}
