package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/entrata-brivo/entrata-brivo/internal/codec"
)

// Problem is one invalid variable and why. Reason never contains a secret.
type Problem struct {
	Variable string
	Reason   string
}

// Error implements error as "VARIABLE: reason".
func (p Problem) Error() string { return p.Variable + ": " + p.Reason }

// ValidationError lists every problem found, in a stable order. Its message
// has one line per problem.
type ValidationError struct {
	Problems []Problem
}

// Error implements error.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return "invalid configuration:\n" + strings.Join(lines, "\n")
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// problems collects at most one problem per variable: the first (a parse
// failure) explains the rest (a zero value failing a range check).
type problems struct {
	list []Problem
}

func (p *problems) add(variable, format string, args ...any) {
	if p.has(variable) {
		return
	}
	p.list = append(p.list, Problem{Variable: variable, Reason: fmt.Sprintf(format, args...)})
}

func (p *problems) has(variable string) bool {
	for _, q := range p.list {
		if q.Variable == variable {
			return true
		}
	}
	return false
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &ValidationError{Problems: p.list}
}

// Validate checks a Config built by hand (Load and LoadFrom already call
// it). The error is a *ValidationError listing every problem.
func (c *Config) Validate() error {
	var p problems
	c.validate(&p)
	return p.err()
}

func (c *Config) validate(p *problems) {
	c.validateTemporal(p)
	c.validateEntrata(p)
	c.validateBrivo(p)
	c.validateSync(p)
	if c.MetricsAddr == "" {
		p.add("METRICS_ADDR", "required (host:port or :port, e.g. :9090)")
	} else if !isHostPort(c.MetricsAddr) {
		p.add("METRICS_ADDR", "%q is not host:port or :port", c.MetricsAddr)
	}
}

func (c *Config) validateTemporal(p *problems) {
	t := c.Temporal
	switch {
	case t.Address == "":
		p.add("TEMPORAL_ADDRESS", "required (host:port)")
	case !isHostPort(t.Address) || strings.HasPrefix(t.Address, ":"):
		p.add("TEMPORAL_ADDRESS", "%q is not host:port", t.Address)
	}
	if t.Namespace == "" {
		p.add("TEMPORAL_NAMESPACE", "required")
	}
	if t.TaskQueue == "" {
		p.add("TEMPORAL_TASK_QUEUE", "required")
	}
	switch {
	case t.TLSCert != "" && !t.TLSKey.IsSet():
		p.add("TEMPORAL_TLS_KEY", "required when TEMPORAL_TLS_CERT is set")
	case t.TLSCert == "" && t.TLSKey.IsSet():
		p.add("TEMPORAL_TLS_CERT", "required when TEMPORAL_TLS_KEY is set")
	default:
		if _, err := c.TLSConfig(); err != nil {
			var pr Problem
			if errors.As(err, &pr) {
				p.add(pr.Variable, "%s", pr.Reason)
			}
		}
	}
}

func (c *Config) validateEntrata(p *problems) {
	e := c.Entrata
	if e.BaseURL == "" {
		p.add("ENTRATA_BASE_URL", "required: the base up to the service segment, e.g. https://apis.entrata.com/ext/orgs/acme/v1")
	} else if reason := checkURL(e.BaseURL); reason != "" {
		p.add("ENTRATA_BASE_URL", "%s", reason)
	}
	hasKey, hasUser, hasPass := e.APIKey.IsSet(), e.Username != "", e.Password.IsSet()
	switch {
	case hasKey && (hasUser || hasPass):
		p.add("ENTRATA_API_KEY", "set either ENTRATA_API_KEY or ENTRATA_USERNAME and ENTRATA_PASSWORD, not both")
	case hasPass && !hasUser:
		p.add("ENTRATA_USERNAME", "required when ENTRATA_PASSWORD is set")
	case hasUser && !hasPass:
		p.add("ENTRATA_PASSWORD", "required when ENTRATA_USERNAME is set")
	case !hasKey && !hasUser:
		p.add("ENTRATA_API_KEY", "required, or ENTRATA_USERNAME and ENTRATA_PASSWORD for legacy basic auth")
	}
	for _, id := range e.PropertyIDs {
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			p.add("ENTRATA_PROPERTY_IDS", "%q is not an Entrata property id (digits, comma-separated)", id)
		}
	}
	if e.RequestsPerMinute <= 0 {
		p.add("ENTRATA_REQUESTS_PER_MINUTE", "must be a positive whole number, got %d", e.RequestsPerMinute)
	}
}

func (c *Config) validateBrivo(p *problems) {
	b := c.Brivo
	for _, u := range []struct{ name, value string }{{"BRIVO_API_URL", b.APIURL}, {"BRIVO_AUTH_URL", b.AuthURL}} {
		if u.value == "" {
			p.add(u.name, "required")
		} else if reason := checkURL(u.value); reason != "" {
			p.add(u.name, "%s", reason)
		}
	}
	for _, r := range []struct {
		name string
		set  bool
	}{
		{"BRIVO_API_KEY", b.APIKey.IsSet()},
		{"BRIVO_CLIENT_ID", b.ClientID != ""},
		{"BRIVO_CLIENT_SECRET", b.ClientSecret.IsSet()},
		{"BRIVO_USERNAME", b.Username != ""},
		{"BRIVO_PASSWORD", b.Password.IsSet()},
	} {
		if !r.set {
			p.add(r.name, "required (Brivo credentials for the OAuth password grant)")
		}
	}
	if !(b.RequestsPerSecond > 0) {
		p.add("BRIVO_REQUESTS_PER_SECOND", "must be a positive number, got %g", b.RequestsPerSecond)
	}
	if !(b.AuditShare > 0 && b.AuditShare <= 1) {
		p.add("BRIVO_AUDIT_SHARE", "must be a share in (0, 1], e.g. 0.5, got %g", b.AuditShare)
	}
}

func (c *Config) validateSync(p *problems) {
	s := c.Sync
	if s.MappingFile == "" {
		p.add("SYNC_MAPPING_FILE", "required: path to the property/unit to Brivo mapping YAML")
	} else if fi, err := os.Stat(s.MappingFile); err != nil {
		p.add("SYNC_MAPPING_FILE", "cannot read %q: %v", s.MappingFile, errors.Unwrap(err))
	} else if fi.IsDir() {
		p.add("SYNC_MAPPING_FILE", "%q is a directory, not a YAML file", s.MappingFile)
	}
	if s.PollInterval <= 0 {
		p.add("SYNC_POLL_INTERVAL", "must be positive, got %v", s.PollInterval)
	}
	if s.AuditInterval <= 0 {
		p.add("SYNC_AUDIT_INTERVAL", "must be positive, got %v", s.AuditInterval)
	}
	for _, t := range []struct {
		name string
		tod  TimeOfDay
	}{{"ACCESS_START_TIME", s.AccessStart}, {"ACCESS_END_TIME", s.AccessEnd}} {
		if t.tod.Hour < 0 || t.tod.Hour > 23 || t.tod.Minute < 0 || t.tod.Minute > 59 || t.tod.Second < 0 || t.tod.Second > 59 {
			p.add(t.name, "%s is not a time of day", t.tod)
		}
	}
	if s.DefaultTimezone == nil {
		p.add("SYNC_DEFAULT_TIMEZONE", "required (IANA zone, e.g. America/Denver)")
	}
	if s.PayloadKey.IsSet() {
		if _, err := codec.DecodeKey(s.PayloadKey.Reveal()); err != nil {
			// DecodeKey's message never echoes the key.
			p.add("SYNC_PAYLOAD_KEY", "must be the base64 encoding of 32 random bytes (openssl rand -base64 32): %s", strings.TrimPrefix(err.Error(), codec.ErrInvalidKey.Error()+": "))
		}
	}
}

// checkURL returns why s is not an absolute http(s) URL, or "". It never
// echoes s, which may carry credentials.
func checkURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "not a URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "not an http:// or https:// URL"
	case u.Host == "":
		return "URL has no host"
	case u.User != nil:
		return "URL must not carry credentials; use the credential variables"
	case u.RawQuery != "" || u.Fragment != "":
		return "URL must not have a query or fragment"
	}
	return ""
}

func isHostPort(s string) bool {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}
