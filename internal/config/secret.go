package config

import "log/slog"

// redacted is what a set Secret prints as.
const redacted = "[redacted]"

// Secret is a credential read from the environment. It prints, logs and
// marshals as "[redacted]" (or "" when unset) so a Config can be logged
// whole; Reveal returns the value for the one place that sends it.
type Secret string

// Reveal returns the secret's value. Call it only where the value is sent
// to the service it authenticates against.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret has a value.
func (s Secret) IsSet() bool { return s != "" }

// String implements fmt.Stringer without revealing the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer so %#v does not reveal the value.
func (s Secret) GoString() string { return `config.Secret("` + s.String() + `")` }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText implements encoding.TextMarshaler, so JSON and YAML encoders
// redact too.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
