// Command worker runs the entrata-brivo Temporal worker: the PropertySync and
// DiscoverProperties workflows and the activities that read Entrata and write
// Brivo. Its configuration is the environment described in the README.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"golang.org/x/sync/errgroup"

	"github.com/entrata-brivo/entrata-brivo/activities"
	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
	"github.com/entrata-brivo/entrata-brivo/internal/config"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/metrics"
	"github.com/entrata-brivo/entrata-brivo/internal/temporalclient"
	"github.com/entrata-brivo/entrata-brivo/workflows"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := realMain(ctx, logger); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

// callsPerFetch is the number of Entrata calls a FetchPlan usually makes
// (units, then leases); it turns the per-minute call budget into a task
// queue activity rate.
const callsPerFetch = 3

func realMain(ctx context.Context, logger *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	logger.Info("starting worker", "config", cfg)

	mapping, err := access.LoadMapping(cfg.Sync.MappingFile, access.Defaults{
		Timezone:  cfg.Sync.DefaultTimezone.String(),
		StartTime: cfg.Sync.AccessStart.String(),
		EndTime:   cfg.Sync.AccessEnd.String(),
	})
	if err != nil {
		return fmt.Errorf("SYNC_MAPPING_FILE: %w", err)
	}
	logDefaultZones(logger, mapping)

	m, err := metrics.New(metrics.Options{})
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	defer m.Close()

	ec, err := newEntrataClient(cfg, logger, m)
	if err != nil {
		return err
	}
	bc, err := brivo.NewClient(
		brivo.WithBaseURL(cfg.Brivo.APIURL),
		brivo.WithAuthURL(cfg.Brivo.AuthURL),
		brivo.WithCredentials(brivo.Credentials{
			APIKey: cfg.Brivo.APIKey.Reveal(), ClientID: cfg.Brivo.ClientID, ClientSecret: cfg.Brivo.ClientSecret.Reveal(),
			Username: cfg.Brivo.Username, Password: cfg.Brivo.Password.Reveal(),
		}),
		brivo.WithRateLimit(workflows.BrivoHeadroom*cfg.Brivo.RequestsPerSecond),
		brivo.WithAuditShare(cfg.Brivo.AuditShare),
		brivo.WithLogger(logger),
		brivo.WithCallObserver(func(c brivo.Call) { m.BrivoCall(c.Method, c.Path, c.Outcome, c.Purpose) }),
	)
	if err != nil {
		return fmt.Errorf("brivo client: %w", err)
	}

	// Credential check at start-up: fail fast with the variable to fix.
	checkCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := ec.GetStatus(checkCtx); err != nil {
		return fmt.Errorf("entrata credential check (ENTRATA_BASE_URL, ENTRATA_API_KEY or ENTRATA_USERNAME/ENTRATA_PASSWORD): %w", err)
	}
	if err := bc.CheckAuth(checkCtx); err != nil {
		return fmt.Errorf("brivo credential check: %w", err)
	}

	tlsCfg, err := cfg.TLSConfig()
	if err != nil {
		return err
	}
	tc, err := temporalclient.Dial(ctx, temporalclient.Options{
		Address: cfg.Temporal.Address, Namespace: cfg.Temporal.Namespace,
		APIKey: cfg.Temporal.APIKey.Reveal(), TLS: tlsCfg, PayloadKey: cfg.Sync.PayloadKey.Reveal(),
		Logger: logger, Metrics: m.SDKHandler(),
	})
	if err != nil {
		return err
	}
	defer tc.Close()

	// The Brivo budget is the account's: this worker spends only the rate
	// it leases from the BrivoBudget workflow (none before its first lease).
	leaser := &brivoLeaser{tc: tc, queue: cfg.Temporal.TaskQueue, self: temporalclient.Identity(),
		budget: cfg.Brivo.RequestsPerSecond, brivo: bc, logger: logger, now: time.Now,
		onChange: func(n int, _ float64) { m.Workers(n) }}
	go leaser.run(ctx)

	acts := activities.New(activities.Deps{
		Entrata: ec, Brivo: bc, Mapping: mapping, Temporal: tc, Metrics: m, Logger: logger,
		Config: activities.Config{
			TaskQueue:        cfg.Temporal.TaskQueue,
			Namespace:        cfg.Temporal.Namespace,
			PropertyIDs:      cfg.EntrataPropertyIDs(),
			PollInterval:     cfg.Sync.PollInterval,
			AuditInterval:    cfg.Sync.AuditInterval,
			InviteMobilePass: true,
			NamesInHistory:   cfg.Sync.PayloadKey.IsSet(),
		},
	})
	return runWorkers(ctx, tc, cfg, acts, m, logger)
}

// ownQueueSlots bounds the applies one worker runs at once (the SDK's
// default); see runWorkers.
const ownQueueSlots = 1000

// runWorkers polls three task queues: the main one (workflows, Brivo-side
// activities), the Entrata one (rate-limited by the server to the shared
// budget) and this process's own queue (applies that need its memory).
func runWorkers(ctx context.Context, tc client.Client, cfg *config.Config, acts *activities.Activities,
	m *metrics.Metrics, logger *slog.Logger) error {
	main := worker.New(tc, cfg.Temporal.TaskQueue, worker.Options{})
	main.RegisterWorkflow(workflows.PropertySync)
	main.RegisterWorkflow(workflows.DiscoverProperties)
	main.RegisterWorkflow(workflows.PropertyOperator)
	main.RegisterWorkflow(workflows.BrivoBudget)
	main.RegisterActivity(acts)

	perSecond := float64(cfg.Entrata.RequestsPerMinute) / 60 / callsPerFetch
	entrataW := worker.New(tc, workflows.EntrataTaskQueue(cfg.Temporal.TaskQueue), worker.Options{
		TaskQueueActivitiesPerSecond:       perSecond,
		MaxConcurrentActivityExecutionSize: 4,
	})
	entrataW.RegisterActivity(acts)

	// No small slot limit on this worker's own queue: its applies wait in
	// the Brivo gate, which serves them by priority. A limit here made a
	// due transition's apply wait to start behind other properties' first
	// syncs and audits, and at 30 properties per worker the 30 s
	// schedule-to-start timeout meant to detect a dead plan holder fired on
	// a live, busy one; every refetch that followed spent Entrata's
	// getLeases quota.
	own := worker.New(tc, acts.WorkerQueue, worker.Options{MaxConcurrentActivityExecutionSize: ownQueueSlots})
	own.RegisterActivity(acts)

	srv := &http.Server{Addr: cfg.MetricsAddr, Handler: m.Handler(), ReadHeaderTimeout: 5 * time.Second}
	g, gctx := errgroup.WithContext(ctx)
	for name, w := range map[string]worker.Worker{"main": main, "entrata": entrataW, "own": own} {
		if err := w.Start(); err != nil {
			return fmt.Errorf("start %s worker: %w", name, err)
		}
		defer w.Stop()
	}
	g.Go(func() error {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("metrics on METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
		}
		return nil
	})
	logger.Info("worker running", "taskQueue", cfg.Temporal.TaskQueue, "workerQueue", acts.WorkerQueue,
		"entrataActivitiesPerSecond", perSecond, "metrics", cfg.MetricsAddr)
	<-gctx.Done()
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	return g.Wait()
}

func newEntrataClient(cfg *config.Config, logger *slog.Logger, m *metrics.Metrics) (*entrata.Client, error) {
	opts := []entrata.Option{
		entrata.WithBaseURL(cfg.Entrata.BaseURL),
		entrata.WithLogger(logger),
		entrata.WithCallObserver(m.EntrataCall),
		entrata.WithHTTPClient(&http.Client{
			Timeout:   60 * time.Second,
			Transport: newBudgetTransport(cfg.Entrata.RequestsPerMinute, http.DefaultTransport),
		}),
	}
	if cfg.Entrata.APIKey.IsSet() {
		opts = append(opts, entrata.WithAPIKey(cfg.Entrata.APIKey.Reveal()))
	} else {
		opts = append(opts, entrata.WithBasicAuth(cfg.Entrata.Username, cfg.Entrata.Password.Reveal()))
	}
	c, err := entrata.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("entrata client: %w", err)
	}
	return c, nil
}
