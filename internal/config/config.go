// Package config is the worker's typed configuration, read once from the
// environment variables the product contract lists. Load collects every
// problem at once, each naming its variable and never echoing a secret.
package config

import (
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	// Embedded zone data: the runtime image may have no /usr/share/zoneinfo,
	// and properties name IANA zones.
	_ "time/tzdata"

	"github.com/kelseyhightower/envconfig"
)

// Config is the worker's configuration. Secrets are Secret values, so the
// whole struct can be printed or logged.
type Config struct {
	Temporal Temporal
	Entrata  Entrata
	Brivo    Brivo
	Sync     Sync
	// MetricsAddr is the Prometheus listen address (METRICS_ADDR).
	MetricsAddr string
}

// Temporal is how the worker reaches the Temporal service.
type Temporal struct {
	Address   string // TEMPORAL_ADDRESS, host:port
	Namespace string // TEMPORAL_NAMESPACE
	TaskQueue string // TEMPORAL_TASK_QUEUE
	APIKey    Secret // TEMPORAL_API_KEY (Temporal Cloud)
	// TLSCert, TLSKey and TLSCA are each a PEM file path or inline PEM
	// (TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA).
	TLSCert string
	TLSKey  Secret
	TLSCA   string
}

// Entrata is how the worker reaches the Entrata API.
type Entrata struct {
	BaseURL  string // ENTRATA_BASE_URL, up to the service segment
	APIKey   Secret // ENTRATA_API_KEY, sent as X-Api-Key
	Username string // ENTRATA_USERNAME, legacy basic auth
	Password Secret // ENTRATA_PASSWORD
	// PropertyIDs is the allow-list (ENTRATA_PROPERTY_IDS); empty means every
	// property the API user can see.
	PropertyIDs       []string
	RequestsPerMinute int // ENTRATA_REQUESTS_PER_MINUTE
}

// Brivo is how the worker reaches the Brivo API (OAuth password grant).
type Brivo struct {
	APIURL            string  // BRIVO_API_URL
	AuthURL           string  // BRIVO_AUTH_URL; the token endpoint is AuthURL + "/oauth/token"
	APIKey            Secret  // BRIVO_API_KEY
	ClientID          string  // BRIVO_CLIENT_ID
	ClientSecret      Secret  // BRIVO_CLIENT_SECRET
	Username          string  // BRIVO_USERNAME
	Password          Secret  // BRIVO_PASSWORD
	RequestsPerSecond float64 // BRIVO_REQUESTS_PER_SECOND: the account's budget, shared by every worker
	AuditShare        float64 // BRIVO_AUDIT_SHARE: the share of it audit reads may use
}

// Sync is how the reconciliation behaves.
type Sync struct {
	MappingFile     string         // SYNC_MAPPING_FILE
	PollInterval    time.Duration  // SYNC_POLL_INTERVAL
	AuditInterval   time.Duration  // SYNC_AUDIT_INTERVAL
	AccessStart     TimeOfDay      // ACCESS_START_TIME, property-local
	AccessEnd       TimeOfDay      // ACCESS_END_TIME, property-local
	DefaultTimezone *time.Location // SYNC_DEFAULT_TIMEZONE
	// PayloadKey is the base64 AES-256 key (SYNC_PAYLOAD_KEY); when set,
	// payloads are encrypted.
	PayloadKey Secret
}

// env is the raw environment as envconfig reads it. Every field is a string
// so that one bad value never hides the others: parse reports them all.
type env struct {
	TemporalAddress   string `envconfig:"TEMPORAL_ADDRESS" default:"127.0.0.1:7233" desc:"Temporal frontend host:port"`
	TemporalNamespace string `envconfig:"TEMPORAL_NAMESPACE" default:"default" desc:"Temporal namespace"`
	TemporalTaskQueue string `envconfig:"TEMPORAL_TASK_QUEUE" default:"entrata-brivo" desc:"task queue"`
	TemporalAPIKey    string `envconfig:"TEMPORAL_API_KEY" desc:"Temporal Cloud API key"`
	TemporalTLSCert   string `envconfig:"TEMPORAL_TLS_CERT" desc:"client certificate (PEM file or inline PEM)"`
	TemporalTLSKey    string `envconfig:"TEMPORAL_TLS_KEY" desc:"client key (PEM file or inline PEM)"`
	TemporalTLSCA     string `envconfig:"TEMPORAL_TLS_CA" desc:"server CA (PEM file or inline PEM)"`

	EntrataBaseURL           string `envconfig:"ENTRATA_BASE_URL" desc:"Entrata base URL up to the service segment (required)"`
	EntrataAPIKey            string `envconfig:"ENTRATA_API_KEY" desc:"Entrata gateway key (or username+password)"`
	EntrataUsername          string `envconfig:"ENTRATA_USERNAME" desc:"Entrata legacy basic-auth user"`
	EntrataPassword          string `envconfig:"ENTRATA_PASSWORD" desc:"Entrata legacy basic-auth password"`
	EntrataPropertyIDs       string `envconfig:"ENTRATA_PROPERTY_IDS" desc:"comma-separated property allow-list; empty = all"`
	EntrataRequestsPerMinute string `envconfig:"ENTRATA_REQUESTS_PER_MINUTE" default:"100" desc:"Entrata call budget shared by all workers"`

	BrivoAPIURL            string `envconfig:"BRIVO_API_URL" default:"https://api.brivo.com/v1/api" desc:"Brivo API base"`
	BrivoAuthURL           string `envconfig:"BRIVO_AUTH_URL" default:"https://auth.brivo.com" desc:"Brivo OAuth base"`
	BrivoAPIKey            string `envconfig:"BRIVO_API_KEY" desc:"Brivo API key (required)"`
	BrivoClientID          string `envconfig:"BRIVO_CLIENT_ID" desc:"Brivo OAuth client id (required)"`
	BrivoClientSecret      string `envconfig:"BRIVO_CLIENT_SECRET" desc:"Brivo OAuth client secret (required)"`
	BrivoUsername          string `envconfig:"BRIVO_USERNAME" desc:"Brivo administrator user (required)"`
	BrivoPassword          string `envconfig:"BRIVO_PASSWORD" desc:"Brivo administrator password (required)"`
	BrivoRequestsPerSecond string `envconfig:"BRIVO_REQUESTS_PER_SECOND" default:"10" desc:"the Brivo account's budget, shared by every worker"`
	BrivoAuditShare        string `envconfig:"BRIVO_AUDIT_SHARE" default:"0.5" desc:"share of the Brivo budget audit reads may use"`

	SyncMappingFile     string `envconfig:"SYNC_MAPPING_FILE" desc:"property/unit to Brivo mapping YAML (required)"`
	SyncPollInterval    string `envconfig:"SYNC_POLL_INTERVAL" default:"15m" desc:"how often each property re-reads Entrata"`
	SyncAuditInterval   string `envconfig:"SYNC_AUDIT_INTERVAL" default:"1h" desc:"how often each property audits its Brivo records"`
	AccessStartTime     string `envconfig:"ACCESS_START_TIME" default:"10:00" desc:"default access window start, property-local HH:MM"`
	AccessEndTime       string `envconfig:"ACCESS_END_TIME" default:"16:00" desc:"default access window end, property-local HH:MM"`
	SyncDefaultTimezone string `envconfig:"SYNC_DEFAULT_TIMEZONE" default:"America/Denver" desc:"zone for properties that name none"`
	SyncPayloadKey      string `envconfig:"SYNC_PAYLOAD_KEY" desc:"base64 AES-256 key; when set, payloads are encrypted"`

	MetricsAddr string `envconfig:"METRICS_ADDR" default:":9090" desc:"Prometheus listen address"`
}

// Load reads the configuration from the process environment and validates
// it. The error lists every problem, one line each.
func Load() (*Config, error) {
	var raw env
	if err := envconfig.Process("", &raw); err != nil {
		// Only reachable on a programming error: every field is a string.
		return nil, fmt.Errorf("config: %w", err)
	}
	raw.applyDefaultsToEmpty()
	return raw.parse()
}

// LoadFrom is Load over any lookup function (os.LookupEnv, or a map in
// tests). A variable set to the empty string counts as unset.
func LoadFrom(lookup func(string) (string, bool)) (*Config, error) {
	var raw env
	v := reflect.ValueOf(&raw).Elem()
	for i := range v.NumField() {
		if s, ok := lookup(v.Type().Field(i).Tag.Get("envconfig")); ok {
			v.Field(i).SetString(s)
		}
	}
	raw.applyDefaultsToEmpty()
	return raw.parse()
}

// Usage writes a table of every variable, its default and meaning.
func Usage(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 1, 0, 4, ' ', 0)
	if err := envconfig.Usagef("", &env{}, tw, envconfig.DefaultTableFormat); err != nil {
		return err
	}
	return tw.Flush()
}

// Variables returns the name of every variable the worker reads, in
// declaration order.
func Variables() []string {
	t := reflect.TypeFor[env]()
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		names = append(names, t.Field(i).Tag.Get("envconfig"))
	}
	return names
}

// applyDefaultsToEmpty treats a variable set to "" like an unset one, so
// compose files can pass ${VAR:-} through.
func (e *env) applyDefaultsToEmpty() {
	v := reflect.ValueOf(e).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		f.SetString(strings.TrimSpace(f.String()))
		if f.String() == "" {
			f.SetString(v.Type().Field(i).Tag.Get("default"))
		}
	}
}

// parse turns the raw strings into a Config, then validates it.
func (e *env) parse() (*Config, error) {
	var p problems
	c := &Config{
		Temporal: Temporal{
			Address:   e.TemporalAddress,
			Namespace: e.TemporalNamespace,
			TaskQueue: e.TemporalTaskQueue,
			APIKey:    Secret(e.TemporalAPIKey),
			TLSCert:   e.TemporalTLSCert,
			TLSKey:    Secret(e.TemporalTLSKey),
			TLSCA:     e.TemporalTLSCA,
		},
		Entrata: Entrata{
			BaseURL:     e.EntrataBaseURL,
			APIKey:      Secret(e.EntrataAPIKey),
			Username:    e.EntrataUsername,
			Password:    Secret(e.EntrataPassword),
			PropertyIDs: splitList(e.EntrataPropertyIDs),
		},
		Brivo: Brivo{
			APIURL:       strings.TrimRight(e.BrivoAPIURL, "/"),
			AuthURL:      strings.TrimRight(e.BrivoAuthURL, "/"),
			APIKey:       Secret(e.BrivoAPIKey),
			ClientID:     e.BrivoClientID,
			ClientSecret: Secret(e.BrivoClientSecret),
			Username:     e.BrivoUsername,
			Password:     Secret(e.BrivoPassword),
		},
		Sync: Sync{
			MappingFile: e.SyncMappingFile,
			PayloadKey:  Secret(e.SyncPayloadKey),
		},
		MetricsAddr: e.MetricsAddr,
	}
	c.Entrata.BaseURL = strings.TrimRight(c.Entrata.BaseURL, "/")

	if n, err := strconv.Atoi(e.EntrataRequestsPerMinute); err != nil {
		p.add("ENTRATA_REQUESTS_PER_MINUTE", "%q is not a whole number", e.EntrataRequestsPerMinute)
	} else {
		c.Entrata.RequestsPerMinute = n
	}
	if f, err := strconv.ParseFloat(e.BrivoRequestsPerSecond, 64); err != nil {
		p.add("BRIVO_REQUESTS_PER_SECOND", "%q is not a number", e.BrivoRequestsPerSecond)
	} else {
		c.Brivo.RequestsPerSecond = f
	}
	if f, err := strconv.ParseFloat(e.BrivoAuditShare, 64); err != nil {
		p.add("BRIVO_AUDIT_SHARE", "%q is not a number", e.BrivoAuditShare)
	} else {
		c.Brivo.AuditShare = f
	}
	c.Sync.PollInterval = parseDuration(&p, "SYNC_POLL_INTERVAL", e.SyncPollInterval)
	c.Sync.AuditInterval = parseDuration(&p, "SYNC_AUDIT_INTERVAL", e.SyncAuditInterval)
	c.Sync.AccessStart = parseTimeOfDay(&p, "ACCESS_START_TIME", e.AccessStartTime)
	c.Sync.AccessEnd = parseTimeOfDay(&p, "ACCESS_END_TIME", e.AccessEndTime)
	if loc, err := loadLocation(e.SyncDefaultTimezone); err != nil {
		p.add("SYNC_DEFAULT_TIMEZONE", "%q is not an IANA time zone (e.g. America/Denver)", e.SyncDefaultTimezone)
	} else {
		c.Sync.DefaultTimezone = loc
	}

	c.validate(&p)
	if err := p.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// EntrataPropertyIDs returns a copy of the property allow-list; empty means
// every property the API user can see.
func (c *Config) EntrataPropertyIDs() []string { return slices.Clone(c.Entrata.PropertyIDs) }

// TokenURL returns Brivo's OAuth token endpoint.
func (b Brivo) TokenURL() string { return b.AuthURL + "/oauth/token" }

func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" && !slices.Contains(out, item) {
			out = append(out, item)
		}
	}
	return out
}

func parseDuration(p *problems, name, s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		p.add(name, "%q is not a duration (e.g. 90s, 15m, 1h)", s)
	}
	return d
}

func parseTimeOfDay(p *problems, name, s string) TimeOfDay {
	t, err := ParseTimeOfDay(s)
	if err != nil {
		p.add(name, "%v", err)
	}
	return t
}

// loadLocation refuses "Local" and "": a property's zone must be explicit,
// not whatever the container happens to run in.
func loadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("zone %q is not explicit", name)
	}
	return time.LoadLocation(name)
}
