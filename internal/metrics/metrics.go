// Package metrics exposes the worker's Prometheus endpoint: the Temporal
// SDK's metrics (through go.temporal.io/sdk/contrib/tally) and the
// product's own counters and gauges, on one registry served at /metrics.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// Path is where Handler and Serve expose the metrics.
const Path = "/metrics"

// DefaultNamespace prefixes the product's own metric names.
const DefaultNamespace = "entrata_brivo"

// sanitizeOptions are the SDK's Prometheus naming rules, except that label
// values keep '-', '.' and ':' (Prometheus allows any UTF-8 there), so
// task_queue="entrata-brivo" reads as the task queue is named.
var sanitizeOptions = func() tally.SanitizeOptions {
	o := sdktally.PrometheusSanitizeOptions
	o.ValueCharacters = tally.ValidCharacters{Ranges: tally.AlphanumericRange, Characters: []rune{'_', '-', '.', ':'}}
	return o
}()

// Options configure New. The zero value is usable.
type Options struct {
	// Namespace prefixes the product's metric names; DefaultNamespace if
	// empty. The SDK's metrics keep their standard temporal_* names.
	Namespace string
	// ReportInterval is how often SDK metrics are flushed from tally to the
	// Prometheus registry; 1s if zero.
	ReportInterval time.Duration
	// Now is the clock for seconds_since_last_sync; time.Now if nil.
	Now func() time.Time
	// Logger receives registration conflicts from the SDK reporter;
	// slog.Default() if nil.
	Logger *slog.Logger
}

// Metrics is the worker's metrics: a Prometheus registry, a tally root scope
// reporting the SDK's metrics into it, and the product's instruments. All
// methods are safe for concurrent use and on a nil *Metrics (they do
// nothing), so code under test may leave it unset.
type Metrics struct {
	registry   *prometheus.Registry
	scope      tally.Scope
	closer     func() error
	sdkHandler client.MetricsHandler
	closeOnce  sync.Once
	product
}

// New builds the registry, the tally scope for the SDK and the product's
// instruments. Call Close when done to flush and stop the tally reporter.
func New(opts Options) (*Metrics, error) {
	if opts.ReportInterval < 0 {
		return nil, fmt.Errorf("metrics: negative report interval %v", opts.ReportInterval)
	}
	if opts.ReportInterval == 0 {
		opts.ReportInterval = time.Second
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	reg := prometheus.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("metrics: register go collector: %w", err)
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("metrics: register process collector: %w", err)
	}
	m, err := newMetrics(reg, opts)
	if err != nil {
		return nil, err
	}

	var seen sync.Map
	reporter := tallyprom.NewReporter(tallyprom.Options{
		Registerer:       reg,
		Gatherer:         reg,
		DefaultTimerType: tallyprom.HistogramTimerType,
		// The default panics. A metric the SDK emits with two different tag
		// sets cannot be registered twice in Prometheus: drop the second
		// shape and say so once.
		OnRegisterError: func(err error) {
			if _, dup := seen.LoadOrStore(err.Error(), true); !dup {
				logger.Warn("metrics: SDK metric not exported", "error", err)
			}
		},
	})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:         reporter,
		Separator:              tallyprom.DefaultSeparator,
		SanitizeOptions:        &sanitizeOptions,
		OmitCardinalityMetrics: true,
	}, opts.ReportInterval)
	m.scope = sdktally.NewPrometheusNamingScope(scope)
	m.closer = closer.Close
	m.sdkHandler = sdktally.NewMetricsHandler(m.scope)
	return m, nil
}

// NewNop returns in-memory metrics for tests: the product's instruments
// record into a private registry (readable through Handler), and the SDK
// handler discards everything.
func NewNop() *Metrics {
	m, err := newMetrics(prometheus.NewRegistry(), Options{})
	if err != nil {
		panic(err) // a fresh registry cannot conflict
	}
	m.scope = tally.NoopScope
	m.closer = func() error { return nil }
	m.sdkHandler = client.MetricsNopHandler
	return m
}

func newMetrics(reg *prometheus.Registry, opts Options) (*Metrics, error) {
	m := &Metrics{registry: reg}
	if err := m.product.init(reg, opts); err != nil {
		return nil, err
	}
	return m, nil
}

// SDKHandler returns the handler for client.Options.MetricsHandler, so the
// SDK's worker, client and workflow metrics land on the same endpoint.
func (m *Metrics) SDKHandler() client.MetricsHandler {
	if m == nil {
		return client.MetricsNopHandler
	}
	return m.sdkHandler
}

// Scope returns the tally root scope (Prometheus naming) behind SDKHandler.
func (m *Metrics) Scope() tally.Scope {
	if m == nil {
		return tally.NoopScope
	}
	return m.scope
}

// Handler serves the Prometheus text exposition of every metric.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Serve listens on addr (METRICS_ADDR) and serves Handler at Path until ctx
// is done. It returns nil after a clean shutdown.
func (m *Metrics) Serve(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: listen %s: %w", addr, err)
	}
	return m.ServeListener(ctx, ln)
}

// ServeListener is Serve on an existing listener, which it closes.
func (m *Metrics) ServeListener(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle(Path, m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("metrics: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("metrics: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics: serve: %w", err)
	}
	return nil
}

// Close flushes the SDK metrics one last time and stops the tally reporter.
func (m *Metrics) Close() error {
	if m == nil {
		return nil
	}
	var err error
	m.closeOnce.Do(func() { err = m.closer() })
	return err
}
