package config

import (
	"log/slog"
	"strings"
)

// LogValue implements slog.LogValuer: every setting, secrets redacted, so
// the worker can log its effective configuration at start-up.
func (c *Config) LogValue() slog.Value {
	tz := ""
	if c.Sync.DefaultTimezone != nil {
		tz = c.Sync.DefaultTimezone.String()
	}
	return slog.GroupValue(
		slog.Group("temporal",
			slog.String("address", c.Temporal.Address),
			slog.String("namespace", c.Temporal.Namespace),
			slog.String("taskQueue", c.Temporal.TaskQueue),
			slog.Any("apiKey", c.Temporal.APIKey),
			slog.Bool("mTLS", c.Temporal.TLSCert != ""),
			slog.Bool("customCA", c.Temporal.TLSCA != ""),
		),
		slog.Group("entrata",
			slog.String("baseURL", c.Entrata.BaseURL),
			slog.Any("apiKey", c.Entrata.APIKey),
			slog.String("username", c.Entrata.Username),
			slog.Any("password", c.Entrata.Password),
			slog.String("propertyIds", strings.Join(c.Entrata.PropertyIDs, ",")),
			slog.Int("requestsPerMinute", c.Entrata.RequestsPerMinute),
		),
		slog.Group("brivo",
			slog.String("apiURL", c.Brivo.APIURL),
			slog.String("authURL", c.Brivo.AuthURL),
			slog.Any("apiKey", c.Brivo.APIKey),
			slog.String("clientId", c.Brivo.ClientID),
			slog.Any("clientSecret", c.Brivo.ClientSecret),
			slog.String("username", c.Brivo.Username),
			slog.Any("password", c.Brivo.Password),
			slog.Float64("requestsPerSecond", c.Brivo.RequestsPerSecond),
			slog.Float64("auditShare", c.Brivo.AuditShare),
		),
		slog.Group("sync",
			slog.String("mappingFile", c.Sync.MappingFile),
			slog.Duration("pollInterval", c.Sync.PollInterval),
			slog.Duration("auditInterval", c.Sync.AuditInterval),
			slog.String("accessStart", c.Sync.AccessStart.String()),
			slog.String("accessEnd", c.Sync.AccessEnd.String()),
			slog.String("defaultTimezone", tz),
			slog.Bool("payloadEncryption", c.Sync.PayloadKey.IsSet()),
		),
		slog.String("metricsAddr", c.MetricsAddr),
	)
}

// String renders the configuration as space-separated key=value pairs,
// secrets redacted.
func (c *Config) String() string {
	var b strings.Builder
	writeAttrs(&b, "", c.LogValue().Group())
	return b.String()
}

func writeAttrs(b *strings.Builder, prefix string, attrs []slog.Attr) {
	for _, a := range attrs {
		v := a.Value.Resolve()
		if v.Kind() == slog.KindGroup {
			writeAttrs(b, prefix+a.Key+".", v.Group())
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(prefix + a.Key + "=" + v.String())
	}
}
