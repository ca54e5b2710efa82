package entrata

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	authAPIKey = "apikey"
	authBasic  = "basic"

	defaultTimeout = 60 * time.Second
	defaultPerPage = 500
	minPerPage     = 5
	maxPerPage     = 1000
	maxBodyBytes   = 64 << 20
)

// Client calls the Entrata API. It is safe for concurrent use. Build one
// with NewClient.
type Client struct {
	baseURL    *url.URL
	authType   string
	apiKey     string
	username   string
	password   string
	httpClient *http.Client
	timeout    time.Duration
	logger     *slog.Logger
	perPage    int
	observer   func(service, method, outcome string)
	now        func() time.Time

	requestSeq atomic.Uint64

	mu      sync.Mutex
	blocked map[string]time.Time // service -> instant its exhausted quota resets
}

// Option configures a Client in NewClient.
type Option func(*Client) error

// NewClient returns a Client configured by opts. A base URL and exactly one
// credential mode (WithAPIKey, or WithBasicAuth) are required.
func NewClient(opts ...Option) (*Client, error) {
	c := &Client{perPage: defaultPerPage, now: time.Now, blocked: map[string]time.Time{}}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, fmt.Errorf("entrata: %w", err)
		}
	}
	if c.baseURL == nil {
		return nil, errors.New("entrata: a base URL is required (ENTRATA_BASE_URL)")
	}
	hasKey := c.apiKey != ""
	hasBasic := c.username != "" || c.password != ""
	switch {
	case hasKey && hasBasic:
		return nil, errors.New("entrata: set either ENTRATA_API_KEY or ENTRATA_USERNAME/ENTRATA_PASSWORD, not both")
	case hasKey:
		c.authType = authAPIKey
	case hasBasic:
		if c.username == "" || c.password == "" {
			return nil, errors.New("entrata: basic auth needs both ENTRATA_USERNAME and ENTRATA_PASSWORD")
		}
		c.authType = authBasic
	default:
		return nil, errors.New("entrata: credentials are required: ENTRATA_API_KEY or ENTRATA_USERNAME/ENTRATA_PASSWORD")
	}
	if c.httpClient == nil {
		c.httpClient = &http.Client{Timeout: defaultTimeout}
	}
	if c.timeout > 0 {
		hc := *c.httpClient
		hc.Timeout = c.timeout
		c.httpClient = &hc
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// WithBaseURL sets the base URL up to the service segment, such as
// https://apis.entrata.com/ext/orgs/acme/v1 or https://acme.entrata.com/api/v1;
// each call goes to base+"/"+service. Credentials in the URL are refused so
// that they cannot leak into error strings.
func WithBaseURL(base string) Option {
	return func(c *Client) error {
		u, err := url.Parse(strings.TrimSpace(base))
		if err != nil {
			return errors.New("base URL does not parse")
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Errorf("base URL scheme must be http or https, not %q", u.Scheme)
		}
		if u.Host == "" {
			return errors.New("base URL has no host")
		}
		if u.User != nil {
			return errors.New("base URL must not carry credentials; use ENTRATA_USERNAME/ENTRATA_PASSWORD")
		}
		u.Path = strings.TrimRight(u.Path, "/")
		u.RawQuery, u.Fragment = "", ""
		c.baseURL = u
		return nil
	}
}

// WithAPIKey selects the gateway's key auth: the X-Api-Key header and
// auth.type "apikey".
func WithAPIKey(key string) Option {
	return func(c *Client) error {
		if strings.TrimSpace(key) == "" {
			return errors.New("ENTRATA_API_KEY is empty")
		}
		c.apiKey = key
		return nil
	}
}

// WithBasicAuth selects the legacy host's HTTP Basic auth and auth.type
// "basic".
func WithBasicAuth(user, pass string) Option {
	return func(c *Client) error {
		if user == "" || pass == "" {
			return errors.New("basic auth needs both ENTRATA_USERNAME and ENTRATA_PASSWORD")
		}
		c.username, c.password = user, pass
		return nil
	}
}

// WithHTTPClient sets the HTTP client; its Timeout is replaced when
// WithTimeout is given too.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("HTTP client is nil")
		}
		c.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each HTTP request (default 60s).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("timeout must be positive, got %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithLogger sets the logger; calls are logged at Debug, failures at Warn.
// Log lines carry service, method, status and quota, never credentials or
// personal data.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("logger is nil")
		}
		c.logger = l
		return nil
	}
}

// WithPerPage sets the getLeases page size (default 500; Entrata allows
// 5..1000).
func WithPerPage(n int) Option {
	return func(c *Client) error {
		if n < minPerPage || n > maxPerPage {
			return fmt.Errorf("per page must be within %d..%d, got %d", minPerPage, maxPerPage, n)
		}
		c.perPage = n
		return nil
	}
}

// WithCallObserver registers a function told about every HTTP call with its
// outcome: "ok", "rate_limited", "retryable", "permanent" or "error". It is
// meant for metrics and must be fast.
func WithCallObserver(f func(service, method, outcome string)) Option {
	return func(c *Client) error {
		c.observer = f
		return nil
	}
}

// WithClock sets the clock used for rate-limit bookkeeping; for tests.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now == nil {
			return errors.New("clock is nil")
		}
		c.now = now
		return nil
	}
}

// String describes the client without its credentials.
func (c *Client) String() string {
	return fmt.Sprintf("entrata.Client{base: %s, auth: %s}", c.baseURL, c.authType)
}

// AuthType returns "apikey" or "basic".
func (c *Client) AuthType() string { return c.authType }

// redact removes the client's secrets from text that came from the server,
// in case an error message echoes them.
func (c *Client) redact(s string) string {
	for _, secret := range []string{c.apiKey, c.password} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	return s
}
