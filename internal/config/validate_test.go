package config

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

// TestValidationMessages covers every message: each case changes the valid
// environment and lists the exact lines the error must contain, in order.
func TestValidationMessages(t *testing.T) {
	unset := "\x00unset"
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"missing ENTRATA_BASE_URL", map[string]string{"ENTRATA_BASE_URL": unset},
			[]string{"ENTRATA_BASE_URL: required: the base up to the service segment, e.g. https://apis.entrata.com/ext/orgs/acme/v1"}},
		{"ENTRATA_BASE_URL not a URL", map[string]string{"ENTRATA_BASE_URL": "apis.entrata.com/ext"},
			[]string{"ENTRATA_BASE_URL: not an http:// or https:// URL"}},
		{"ENTRATA_BASE_URL unparsable", map[string]string{"ENTRATA_BASE_URL": "https://[::1"},
			[]string{"ENTRATA_BASE_URL: not a URL"}},
		{"ENTRATA_BASE_URL no host", map[string]string{"ENTRATA_BASE_URL": "https:///api/v1"},
			[]string{"ENTRATA_BASE_URL: URL has no host"}},
		{"ENTRATA_BASE_URL with credentials", map[string]string{"ENTRATA_BASE_URL": "https://u:" + entrataPass + "@acme.entrata.com/api/v1"},
			[]string{"ENTRATA_BASE_URL: URL must not carry credentials; use the credential variables"}},
		{"ENTRATA_BASE_URL with query", map[string]string{"ENTRATA_BASE_URL": "https://acme.entrata.com/api/v1?x=1"},
			[]string{"ENTRATA_BASE_URL: URL must not have a query or fragment"}},
		{"no Entrata credentials", map[string]string{"ENTRATA_API_KEY": unset},
			[]string{"ENTRATA_API_KEY: required, or ENTRATA_USERNAME and ENTRATA_PASSWORD for legacy basic auth"}},
		{"Entrata key and basic auth", map[string]string{"ENTRATA_USERNAME": "svc", "ENTRATA_PASSWORD": entrataPass},
			[]string{"ENTRATA_API_KEY: set either ENTRATA_API_KEY or ENTRATA_USERNAME and ENTRATA_PASSWORD, not both"}},
		{"Entrata password without username", map[string]string{"ENTRATA_API_KEY": unset, "ENTRATA_PASSWORD": entrataPass},
			[]string{"ENTRATA_USERNAME: required when ENTRATA_PASSWORD is set"}},
		{"Entrata username without password", map[string]string{"ENTRATA_API_KEY": unset, "ENTRATA_USERNAME": "svc"},
			[]string{"ENTRATA_PASSWORD: required when ENTRATA_USERNAME is set"}},
		{"Entrata basic auth alone is fine", map[string]string{"ENTRATA_API_KEY": unset, "ENTRATA_USERNAME": "svc", "ENTRATA_PASSWORD": entrataPass},
			nil},
		{"bad property id", map[string]string{"ENTRATA_PROPERTY_IDS": "100,acme"},
			[]string{`ENTRATA_PROPERTY_IDS: "acme" is not an Entrata property id (digits, comma-separated)`}},
		{"requests per minute not a number", map[string]string{"ENTRATA_REQUESTS_PER_MINUTE": "lots"},
			[]string{`ENTRATA_REQUESTS_PER_MINUTE: "lots" is not a whole number`}},
		{"requests per minute zero", map[string]string{"ENTRATA_REQUESTS_PER_MINUTE": "0"},
			[]string{"ENTRATA_REQUESTS_PER_MINUTE: must be a positive whole number, got 0"}},
		{"Brivo rate not a number", map[string]string{"BRIVO_REQUESTS_PER_SECOND": "fast"},
			[]string{`BRIVO_REQUESTS_PER_SECOND: "fast" is not a number`}},
		{"Brivo rate negative", map[string]string{"BRIVO_REQUESTS_PER_SECOND": "-1"},
			[]string{"BRIVO_REQUESTS_PER_SECOND: must be a positive number, got -1"}},
		{"Brivo rate NaN", map[string]string{"BRIVO_REQUESTS_PER_SECOND": "NaN"},
			[]string{"BRIVO_REQUESTS_PER_SECOND: must be a positive number, got NaN"}},
		{"audit share above 1", map[string]string{"BRIVO_AUDIT_SHARE": "1.5"},
			[]string{"BRIVO_AUDIT_SHARE: must be a share in (0, 1], e.g. 0.5, got 1.5"}},
		{"audit share not a number", map[string]string{"BRIVO_AUDIT_SHARE": "half"},
			[]string{`BRIVO_AUDIT_SHARE: "half" is not a number`}},
		{"Brivo URLs", map[string]string{"BRIVO_API_URL": "ftp://api.brivo.com", "BRIVO_AUTH_URL": "auth.brivo.com"},
			[]string{"BRIVO_API_URL: not an http:// or https:// URL", "BRIVO_AUTH_URL: not an http:// or https:// URL"}},
		{"missing Brivo credentials", map[string]string{"BRIVO_API_KEY": unset, "BRIVO_CLIENT_ID": unset, "BRIVO_CLIENT_SECRET": unset, "BRIVO_USERNAME": unset, "BRIVO_PASSWORD": unset},
			[]string{
				"BRIVO_API_KEY: required (Brivo credentials for the OAuth password grant)",
				"BRIVO_CLIENT_ID: required (Brivo credentials for the OAuth password grant)",
				"BRIVO_CLIENT_SECRET: required (Brivo credentials for the OAuth password grant)",
				"BRIVO_USERNAME: required (Brivo credentials for the OAuth password grant)",
				"BRIVO_PASSWORD: required (Brivo credentials for the OAuth password grant)",
			}},
		{"missing SYNC_MAPPING_FILE", map[string]string{"SYNC_MAPPING_FILE": unset},
			[]string{"SYNC_MAPPING_FILE: required: path to the property/unit to Brivo mapping YAML"}},
		{"SYNC_MAPPING_FILE absent", map[string]string{"SYNC_MAPPING_FILE": "/nonexistent/mapping.yaml"},
			[]string{`SYNC_MAPPING_FILE: cannot read "/nonexistent/mapping.yaml": no such file or directory`}},
		{"SYNC_MAPPING_FILE directory", map[string]string{"SYNC_MAPPING_FILE": "/"},
			[]string{`SYNC_MAPPING_FILE: "/" is a directory, not a YAML file`}},
		{"bad durations", map[string]string{"SYNC_POLL_INTERVAL": "15", "SYNC_AUDIT_INTERVAL": "hourly"},
			[]string{`SYNC_POLL_INTERVAL: "15" is not a duration (e.g. 90s, 15m, 1h)`, `SYNC_AUDIT_INTERVAL: "hourly" is not a duration (e.g. 90s, 15m, 1h)`}},
		{"non-positive durations", map[string]string{"SYNC_POLL_INTERVAL": "0s", "SYNC_AUDIT_INTERVAL": "-1h"},
			[]string{"SYNC_POLL_INTERVAL: must be positive, got 0s", "SYNC_AUDIT_INTERVAL: must be positive, got -1h0m0s"}},
		{"access times not HH:MM", map[string]string{"ACCESS_START_TIME": "10am", "ACCESS_END_TIME": "25:00"},
			[]string{`ACCESS_START_TIME: "10am" is not a time of day (HH:MM or HH:MM:SS, 24-hour)`, `ACCESS_END_TIME: "25:00" is not a time of day (HH:MM or HH:MM:SS, 24-hour)`}},
		{"access times with seconds are fine", map[string]string{"ACCESS_START_TIME": "10:00:00", "ACCESS_END_TIME": "16:30:15"},
			nil},
		{"bad time zone", map[string]string{"SYNC_DEFAULT_TIMEZONE": "Mountain"},
			[]string{`SYNC_DEFAULT_TIMEZONE: "Mountain" is not an IANA time zone (e.g. America/Denver)`}},
		{"Local time zone refused", map[string]string{"SYNC_DEFAULT_TIMEZONE": "Local"},
			[]string{`SYNC_DEFAULT_TIMEZONE: "Local" is not an IANA time zone (e.g. America/Denver)`}},
		{"payload key wrong length", map[string]string{"SYNC_PAYLOAD_KEY": badPayload},
			[]string{"SYNC_PAYLOAD_KEY: must be the base64 encoding of 32 random bytes (openssl rand -base64 32): decodes to 16 bytes"}},
		{"payload key not base64", map[string]string{"SYNC_PAYLOAD_KEY": "%%" + brivoSecret},
			[]string{"SYNC_PAYLOAD_KEY: must be the base64 encoding of 32 random bytes (openssl rand -base64 32): not valid base64"}},
		{"TLS cert without key", map[string]string{"TEMPORAL_TLS_CERT": "/etc/temporal/client.pem"},
			[]string{"TEMPORAL_TLS_KEY: required when TEMPORAL_TLS_CERT is set"}},
		{"TLS key without cert", map[string]string{"TEMPORAL_TLS_KEY": secretInPEM},
			[]string{"TEMPORAL_TLS_CERT: required when TEMPORAL_TLS_KEY is set"}},
		{"TLS files unreadable", map[string]string{"TEMPORAL_TLS_CERT": "/nonexistent/c.pem", "TEMPORAL_TLS_KEY": "/nonexistent/k.pem"},
			[]string{"TEMPORAL_TLS_CERT: cannot read /nonexistent/c.pem: no such file or directory"}},
		{"TLS CA unreadable", map[string]string{"TEMPORAL_TLS_CA": "/nonexistent/ca.pem"},
			[]string{"TEMPORAL_TLS_CA: cannot read /nonexistent/ca.pem: no such file or directory"}},
		{"Temporal address", map[string]string{"TEMPORAL_ADDRESS": "temporal"},
			[]string{`TEMPORAL_ADDRESS: "temporal" is not host:port`}},
		{"Temporal address without host", map[string]string{"TEMPORAL_ADDRESS": ":7233"},
			[]string{`TEMPORAL_ADDRESS: ":7233" is not host:port`}},
		{"metrics address", map[string]string{"METRICS_ADDR": "9090"},
			[]string{`METRICS_ADDR: "9090" is not host:port or :port`}},
		{"everything wrong at once keeps one line per problem", map[string]string{
			"ENTRATA_BASE_URL": unset, "ENTRATA_API_KEY": unset, "SYNC_MAPPING_FILE": unset, "SYNC_POLL_INTERVAL": "x", "BRIVO_PASSWORD": unset,
		}, []string{
			"SYNC_POLL_INTERVAL: \"x\" is not a duration (e.g. 90s, 15m, 1h)",
			"ENTRATA_BASE_URL: required: the base up to the service segment, e.g. https://apis.entrata.com/ext/orgs/acme/v1",
			"ENTRATA_API_KEY: required, or ENTRATA_USERNAME and ENTRATA_PASSWORD for legacy basic auth",
			"BRIVO_PASSWORD: required (Brivo credentials for the OAuth password grant)",
			"SYNC_MAPPING_FILE: required: path to the property/unit to Brivo mapping YAML",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := validEnv(t)
			maps.Copy(env, tt.env)
			maps.DeleteFunc(env, func(_, v string) bool { return v == unset })
			c, err := LoadFrom(lookupIn(env))
			if tt.want == nil {
				if err != nil || c == nil {
					t.Fatalf("LoadFrom() error: %v", err)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("LoadFrom() = %v, want *ValidationError", err)
			}
			if c != nil {
				t.Error("LoadFrom returned a config along with the error")
			}
			got := strings.Split(err.Error(), "\n")
			if got[0] != "invalid configuration:" {
				t.Errorf("first line = %q", got[0])
			}
			if strings.Join(got[1:], "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got[1:], "\n"), strings.Join(tt.want, "\n"))
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error reveals secret %q", s)
				}
			}
		})
	}
}
