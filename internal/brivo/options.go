package brivo

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Credentials are the five secrets of a Brivo API account. They never
// appear in errors, logs or String output.
type Credentials struct {
	APIKey, ClientID, ClientSecret, Username, Password string
}

// String hides every secret.
func (Credentials) String() string { return "brivo.Credentials{redacted}" }

// GoString hides every secret from %#v.
func (c Credentials) GoString() string { return c.String() }

// validate names the environment variables that are missing, never values.
func (c Credentials) validate() error {
	var missing []string
	for _, f := range []struct{ v, name string }{
		{c.APIKey, "BRIVO_API_KEY"}, {c.ClientID, "BRIVO_CLIENT_ID"}, {c.ClientSecret, "BRIVO_CLIENT_SECRET"},
		{c.Username, "BRIVO_USERNAME"}, {c.Password, "BRIVO_PASSWORD"},
	} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("brivo: missing credentials: set %v", missing)
	}
	return nil
}

type config struct {
	baseURL, authURL string
	creds            Credentials
	httpClient       *http.Client
	timeout          time.Duration
	timeoutSet       bool
	logger           *slog.Logger
	perSecond        float64
	auditShare       float64
	observer         func(Call)
}

// Option configures a Client.
type Option func(*config) error

// WithBaseURL sets the API base, e.g. https://api.brivo.com/v1/api.
func WithBaseURL(apiBase string) Option {
	return func(c *config) error {
		if apiBase == "" {
			return errors.New("brivo: empty base URL")
		}
		c.baseURL = apiBase
		return nil
	}
}

// WithAuthURL sets the OAuth base; the token endpoint is {authBase}/oauth/token.
func WithAuthURL(authBase string) Option {
	return func(c *config) error {
		if authBase == "" {
			return errors.New("brivo: empty auth URL")
		}
		c.authURL = authBase
		return nil
	}
}

// WithCredentials sets the account's secrets (all five are required).
func WithCredentials(creds Credentials) Option {
	return func(c *config) error {
		c.creds = creds
		return nil
	}
}

// WithHTTPClient sets the HTTP client (copied; its transport is wrapped to
// add the api-key header). Its timeout is kept unless WithTimeout is given.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("brivo: nil HTTP client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithTimeout sets the per-request timeout (default 30 s).
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("brivo: timeout must be positive, got %s", d)
		}
		c.timeout, c.timeoutSet = d, true
		return nil
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("brivo: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithRateLimit sets the client-side ceiling on API calls per second
// (BRIVO_REQUESTS_PER_SECOND; default 10), with a burst of 1.
func WithRateLimit(perSecond float64) Option {
	return func(c *config) error {
		if perSecond <= 0 {
			return fmt.Errorf("brivo: rate limit must be positive, got %v", perSecond)
		}
		c.perSecond = perSecond
		return nil
	}
}

// WithAuditShare caps audit reads (PriorityAudit) at share (0 < share ≤ 1)
// of the rate; the default is 0.5.
func WithAuditShare(share float64) Option {
	return func(c *config) error {
		if !(share > 0 && share <= 1) {
			return fmt.Errorf("brivo: audit share must be in (0, 1], got %v", share)
		}
		c.auditShare = share
		return nil
	}
}

// WithCallObserver registers a function called once per API call with its
// Call (method, path template, outcome and the caller's purpose), for
// metrics.
func WithCallObserver(fn func(Call)) Option {
	return func(c *config) error {
		c.observer = fn
		return nil
	}
}
