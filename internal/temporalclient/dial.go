// Package temporalclient dials the Temporal service the same way for the
// worker and the starter: address and namespace, Temporal Cloud API key or
// mTLS, the slog logger, the metrics handler and, when a payload key is set,
// the AES-GCM codec that keeps residents' data out of history in clear text.
package temporalclient

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"github.com/entrata-brivo/entrata-brivo/internal/codec"
)

// Options says how to reach Temporal.
type Options struct {
	Address    string
	Namespace  string
	APIKey     string      // Temporal Cloud API key; empty for none
	TLS        *tls.Config // mTLS or server TLS; nil for plaintext
	PayloadKey string      // base64 AES-256 key; empty leaves payloads in clear
	Logger     *slog.Logger
	Metrics    client.MetricsHandler
}

// Identity is this process's identity towards Temporal: the SDK's default
// pid@host, with a fixed-width pid so every event's size is independent of
// the process id. Workers count each other by it.
func Identity() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%07d@%s", os.Getpid(), host)
}

// ClientOptions builds the SDK client options. It is separate from Dial so
// the worker and tests can inspect it.
func ClientOptions(o Options) (client.Options, error) {
	co := client.Options{
		HostPort:       o.Address,
		Namespace:      o.Namespace,
		MetricsHandler: o.Metrics,
		Identity:       Identity(),
	}
	if o.Logger != nil {
		co.Logger = log.NewStructuredLogger(o.Logger)
	}
	if o.PayloadKey != "" {
		c, err := codec.NewCodec(o.PayloadKey)
		if err != nil {
			return co, fmt.Errorf("SYNC_PAYLOAD_KEY: %w", err)
		}
		co.DataConverter = codec.DataConverter(c)
	}
	if o.APIKey != "" {
		co.Credentials = client.NewAPIKeyStaticCredentials(o.APIKey)
		if o.TLS == nil {
			o.TLS = &tls.Config{MinVersion: tls.VersionTLS12} // Temporal Cloud requires TLS
		}
	}
	co.ConnectionOptions.TLS = o.TLS
	return co, nil
}

// Dial connects to Temporal and checks the connection.
func Dial(ctx context.Context, o Options) (client.Client, error) {
	co, err := ClientOptions(o)
	if err != nil {
		return nil, err
	}
	c, err := client.DialContext(ctx, co)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (TEMPORAL_ADDRESS), namespace %q (TEMPORAL_NAMESPACE): %w",
			o.Address, o.Namespace, err)
	}
	return c, nil
}
