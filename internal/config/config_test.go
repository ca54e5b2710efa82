package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Secret values used across tests; none may ever show in output.
const (
	entrataKey   = "ek-SECRET-1111"
	entrataPass  = "ep-SECRET-2222"
	brivoKey     = "bk-SECRET-3333"
	brivoSecret  = "bs-SECRET-4444"
	brivoPass    = "bp-SECRET-5555"
	temporalKey  = "tk-SECRET-6666"
	payloadKey   = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes
	badPayload   = "c2hvcnQtU0VDUkVULWtleQ=="                     // "short-SECRET-key"
	secretInPEM  = "-----BEGIN EC PRIVATE KEY-----\nSECRETPEM\n-----END EC PRIVATE KEY-----\n"
	mappingValid = "properties: []\n"
)

var secrets = []string{entrataKey, entrataPass, brivoKey, brivoSecret, brivoPass, temporalKey, payloadKey, badPayload, "SECRETPEM"}

// validEnv returns the smallest valid environment, with a real mapping file.
func validEnv(t *testing.T) map[string]string {
	t.Helper()
	mapping := filepath.Join(t.TempDir(), "mapping.yaml")
	if err := os.WriteFile(mapping, []byte(mappingValid), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"ENTRATA_BASE_URL":    "https://apis.entrata.com/ext/orgs/acme/v1",
		"ENTRATA_API_KEY":     entrataKey,
		"BRIVO_API_KEY":       brivoKey,
		"BRIVO_CLIENT_ID":     "client-1",
		"BRIVO_CLIENT_SECRET": brivoSecret,
		"BRIVO_USERNAME":      "admin@example.com",
		"BRIVO_PASSWORD":      brivoPass,
		"SYNC_MAPPING_FILE":   mapping,
	}
}

func lookupIn(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := LoadFrom(lookupIn(validEnv(t)))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"TEMPORAL_ADDRESS", c.Temporal.Address, "127.0.0.1:7233"},
		{"TEMPORAL_NAMESPACE", c.Temporal.Namespace, "default"},
		{"TEMPORAL_TASK_QUEUE", c.Temporal.TaskQueue, "entrata-brivo"},
		{"ENTRATA_REQUESTS_PER_MINUTE", c.Entrata.RequestsPerMinute, 100},
		{"ENTRATA_PROPERTY_IDS", len(c.EntrataPropertyIDs()), 0},
		{"BRIVO_API_URL", c.Brivo.APIURL, "https://api.brivo.com/v1/api"},
		{"BRIVO_AUTH_URL", c.Brivo.AuthURL, "https://auth.brivo.com"},
		{"token URL", c.Brivo.TokenURL(), "https://auth.brivo.com/oauth/token"},
		{"BRIVO_REQUESTS_PER_SECOND", c.Brivo.RequestsPerSecond, 10.0},
		{"BRIVO_AUDIT_SHARE", c.Brivo.AuditShare, 0.5},
		{"SYNC_POLL_INTERVAL", c.Sync.PollInterval, 15 * time.Minute},
		{"SYNC_AUDIT_INTERVAL", c.Sync.AuditInterval, time.Hour},
		{"ACCESS_START_TIME", c.Sync.AccessStart, TimeOfDay{Hour: 10}},
		{"ACCESS_END_TIME", c.Sync.AccessEnd, TimeOfDay{Hour: 16}},
		{"SYNC_DEFAULT_TIMEZONE", c.Sync.DefaultTimezone.String(), "America/Denver"},
		{"SYNC_PAYLOAD_KEY", c.Sync.PayloadKey.IsSet(), false},
		{"METRICS_ADDR", c.MetricsAddr, ":9090"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	if tc, err := c.TLSConfig(); tc != nil || err != nil {
		t.Errorf("TLSConfig() = %v, %v; want nil, nil without TLS settings", tc, err)
	}
}

func TestEveryVariableIsRead(t *testing.T) {
	env := validEnv(t)
	maps.Copy(env, map[string]string{
		"TEMPORAL_ADDRESS":            "temporal.internal:7233",
		"TEMPORAL_NAMESPACE":          "prod",
		"TEMPORAL_TASK_QUEUE":         "q",
		"TEMPORAL_API_KEY":            temporalKey,
		"ENTRATA_BASE_URL":            "https://acme.entrata.com/api/v1/",
		"ENTRATA_PROPERTY_IDS":        " 100, 200,,100 ",
		"ENTRATA_REQUESTS_PER_MINUTE": "60",
		"BRIVO_API_URL":               "http://127.0.0.1:8072/v1/api/",
		"BRIVO_AUTH_URL":              "http://127.0.0.1:8072",
		"BRIVO_REQUESTS_PER_SECOND":   "2.5",
		"BRIVO_AUDIT_SHARE":           "0.25",
		"SYNC_POLL_INTERVAL":          "5m",
		"SYNC_AUDIT_INTERVAL":         "30m",
		"ACCESS_START_TIME":           "09:30",
		"ACCESS_END_TIME":             "17:00:30",
		"SYNC_DEFAULT_TIMEZONE":       "America/Chicago",
		"SYNC_PAYLOAD_KEY":            payloadKey,
		"METRICS_ADDR":                "127.0.0.1:0",
	})
	c, err := LoadFrom(lookupIn(env))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"TEMPORAL_ADDRESS", c.Temporal.Address, "temporal.internal:7233"},
		{"TEMPORAL_NAMESPACE", c.Temporal.Namespace, "prod"},
		{"TEMPORAL_TASK_QUEUE", c.Temporal.TaskQueue, "q"},
		{"TEMPORAL_API_KEY", c.Temporal.APIKey.Reveal(), temporalKey},
		{"ENTRATA_BASE_URL", c.Entrata.BaseURL, "https://acme.entrata.com/api/v1"},
		{"ENTRATA_API_KEY", c.Entrata.APIKey.Reveal(), entrataKey},
		{"ENTRATA_PROPERTY_IDS", strings.Join(c.EntrataPropertyIDs(), "|"), "100|200"},
		{"ENTRATA_REQUESTS_PER_MINUTE", c.Entrata.RequestsPerMinute, 60},
		{"BRIVO_API_URL", c.Brivo.APIURL, "http://127.0.0.1:8072/v1/api"},
		{"BRIVO_AUTH_URL", c.Brivo.AuthURL, "http://127.0.0.1:8072"},
		{"BRIVO_API_KEY", c.Brivo.APIKey.Reveal(), brivoKey},
		{"BRIVO_CLIENT_ID", c.Brivo.ClientID, "client-1"},
		{"BRIVO_CLIENT_SECRET", c.Brivo.ClientSecret.Reveal(), brivoSecret},
		{"BRIVO_USERNAME", c.Brivo.Username, "admin@example.com"},
		{"BRIVO_PASSWORD", c.Brivo.Password.Reveal(), brivoPass},
		{"BRIVO_REQUESTS_PER_SECOND", c.Brivo.RequestsPerSecond, 2.5},
		{"BRIVO_AUDIT_SHARE", c.Brivo.AuditShare, 0.25},
		{"SYNC_MAPPING_FILE", c.Sync.MappingFile, env["SYNC_MAPPING_FILE"]},
		{"SYNC_POLL_INTERVAL", c.Sync.PollInterval, 5 * time.Minute},
		{"SYNC_AUDIT_INTERVAL", c.Sync.AuditInterval, 30 * time.Minute},
		{"ACCESS_START_TIME", c.Sync.AccessStart, TimeOfDay{9, 30, 0}},
		{"ACCESS_END_TIME", c.Sync.AccessEnd, TimeOfDay{17, 0, 30}},
		{"SYNC_DEFAULT_TIMEZONE", c.Sync.DefaultTimezone.String(), "America/Chicago"},
		{"SYNC_PAYLOAD_KEY", c.Sync.PayloadKey.Reveal(), payloadKey},
		{"METRICS_ADDR", c.MetricsAddr, "127.0.0.1:0"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	// Every variable the loader knows is exercised above (the TLS trio in
	// TestTLSConfig, the Entrata basic-auth pair in TestValidationMessages).
	tested := map[string]bool{"TEMPORAL_TLS_CERT": true, "TEMPORAL_TLS_KEY": true, "TEMPORAL_TLS_CA": true, "ENTRATA_USERNAME": true, "ENTRATA_PASSWORD": true}
	for _, ch := range checks {
		tested[ch.name] = true
	}
	for _, v := range Variables() {
		if !tested[v] {
			t.Errorf("variable %s is not covered by this test", v)
		}
	}
}

func TestVariablesMatchContract(t *testing.T) {
	want := []string{
		"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TASK_QUEUE", "TEMPORAL_API_KEY",
		"TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY", "TEMPORAL_TLS_CA",
		"ENTRATA_BASE_URL", "ENTRATA_API_KEY", "ENTRATA_USERNAME", "ENTRATA_PASSWORD",
		"ENTRATA_PROPERTY_IDS", "ENTRATA_REQUESTS_PER_MINUTE",
		"BRIVO_API_URL", "BRIVO_AUTH_URL", "BRIVO_API_KEY", "BRIVO_CLIENT_ID", "BRIVO_CLIENT_SECRET",
		"BRIVO_USERNAME", "BRIVO_PASSWORD", "BRIVO_REQUESTS_PER_SECOND",
		// Beyond the contract's table: the audit share of the Brivo budget,
		// which the portfolio-scale issue asks to be configurable.
		"BRIVO_AUDIT_SHARE",
		"SYNC_MAPPING_FILE", "SYNC_POLL_INTERVAL", "SYNC_AUDIT_INTERVAL",
		"ACCESS_START_TIME", "ACCESS_END_TIME", "SYNC_DEFAULT_TIMEZONE", "SYNC_PAYLOAD_KEY", "METRICS_ADDR",
	}
	if got := Variables(); !slices.Equal(got, want) {
		t.Errorf("Variables() = %v\nwant %v", got, want)
	}
	var buf bytes.Buffer
	if err := Usage(&buf); err != nil {
		t.Fatal(err)
	}
	for _, v := range want {
		if !strings.Contains(buf.String(), v) {
			t.Errorf("Usage does not list %s", v)
		}
	}
}

func TestLoadReadsProcessEnvironmentLikeLoadFrom(t *testing.T) {
	env := validEnv(t)
	env["ENTRATA_PROPERTY_IDS"] = "7,8"
	env["SYNC_POLL_INTERVAL"] = "" // empty counts as unset: default applies
	for _, v := range Variables() {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	fromEnv, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fromMap, err := LoadFrom(lookupIn(env))
	if err != nil {
		t.Fatal(err)
	}
	if fromEnv.String() != fromMap.String() || !slices.Equal(fromEnv.EntrataPropertyIDs(), fromMap.EntrataPropertyIDs()) {
		t.Errorf("Load() = %s\nLoadFrom() = %s", fromEnv, fromMap)
	}
	if fromEnv.Sync.PollInterval != 15*time.Minute {
		t.Errorf("empty SYNC_POLL_INTERVAL gave %v, want the 15m default", fromEnv.Sync.PollInterval)
	}
}

func TestEntrataPropertyIDsReturnsCopy(t *testing.T) {
	env := validEnv(t)
	env["ENTRATA_PROPERTY_IDS"] = "1,2"
	c, err := LoadFrom(lookupIn(env))
	if err != nil {
		t.Fatal(err)
	}
	ids := c.EntrataPropertyIDs()
	ids[0] = "changed"
	if got := c.EntrataPropertyIDs()[0]; got != "1" {
		t.Errorf("caller mutated the config: %q", got)
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	env := validEnv(t)
	env["TEMPORAL_API_KEY"] = temporalKey
	env["SYNC_PAYLOAD_KEY"] = payloadKey
	c, err := LoadFrom(lookupIn(env))
	if err != nil {
		t.Fatal(err)
	}
	c.Temporal.TLSKey = Secret(secretInPEM)
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "config", c)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "config", c)
	js, _ := json.Marshal(c)
	outputs := map[string]string{
		"String":    c.String(),
		"%v":        fmt.Sprintf("%v", c),
		"%+v":       fmt.Sprintf("%+v", *c),
		"%#v":       fmt.Sprintf("%#v", *c),
		"slog":      logged.String(),
		"json":      string(js),
		"Secret %s": fmt.Sprintf("%s %q", c.Brivo.Password, c.Brivo.Password),
	}
	for name, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s output reveals %q: %s", name, s, out)
			}
		}
	}
	if !strings.Contains(c.String(), "brivo.password=[redacted]") || !strings.Contains(c.String(), "brivo.clientId=client-1") {
		t.Errorf("String() = %s", c.String())
	}
	if !strings.Contains(logged.String(), `"apiKey":"[redacted]"`) {
		t.Errorf("slog JSON lacks the redacted marker: %s", logged.String())
	}
}

func TestParseTimeOfDay(t *testing.T) {
	tests := []struct {
		in      string
		want    TimeOfDay
		wantErr bool
	}{
		{"00:00", TimeOfDay{}, false},
		{"09:05", TimeOfDay{9, 5, 0}, false},
		{"23:59:59", TimeOfDay{23, 59, 59}, false},
		{"9:05", TimeOfDay{9, 5, 0}, false},
		{"24:00", TimeOfDay{}, true},
		{"10:60", TimeOfDay{}, true},
		{"10am", TimeOfDay{}, true},
		{"", TimeOfDay{}, true},
	}
	for _, tt := range tests {
		got, err := ParseTimeOfDay(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseTimeOfDay(%q) = %v, %v", tt.in, got, err)
		}
	}
	if s := (TimeOfDay{9, 5, 0}).String(); s != "09:05" {
		t.Errorf("String() = %q", s)
	}
	if s := (TimeOfDay{9, 5, 7}).String(); s != "09:05:07" {
		t.Errorf("String() = %q", s)
	}
	loc, _ := time.LoadLocation("America/Denver")
	if got := (TimeOfDay{16, 0, 0}).On(2025, time.March, 9, loc); got.Format(time.RFC3339) != "2025-03-09T16:00:00-06:00" {
		t.Errorf("On() = %v", got)
	}
}

func TestValidateHandBuiltConfig(t *testing.T) {
	c, err := LoadFrom(lookupIn(validEnv(t)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("loaded config fails Validate: %v", err)
	}
	c.Sync.PollInterval = 0
	c.Brivo.ClientSecret = ""
	err = c.Validate()
	var verr *ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 2 {
		t.Fatalf("Validate() = %v, want 2 problems", err)
	}
	var p Problem
	if !errors.As(err, &p) || p.Variable != "BRIVO_CLIENT_SECRET" {
		t.Errorf("errors.As(Problem) = %+v", p)
	}
}
