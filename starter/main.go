// Command starter is the operator's CLI for entrata-brivo: it installs the
// discovery schedule and starts, syncs, inspects, pauses, resumes and
// approves the per-property syncs, through the Temporal client. It also
// serves the payload codec endpoint for the Web UI and the temporal CLI.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/kelseyhightower/envconfig"

	"github.com/entrata-brivo/entrata-brivo/internal/config"
	"github.com/entrata-brivo/entrata-brivo/internal/temporalclient"
)

const usage = `starter: operate entrata-brivo through Temporal.

Usage:
  starter schedule [--every 1h] [--trigger] [--paused]
                                   create or update the discovery schedule
                                   "entrata-brivo-discovery" (idempotent);
                                   --trigger also runs it once now
  starter discover                 run one DiscoverProperties sweep now and print its report
  starter sync <propertyId>        start the property's PropertySync if absent, run
                                   the "sync" update and print the report
  starter status <propertyId>      print the "status" query
  starter upcoming <propertyId>    print the "upcoming" query (next transitions)
  starter pause <propertyId>       send the "pause" signal (stop applying changes)
  starter resume <propertyId>      send the "resume" signal
  starter approve <propertyId>     run the "approve-revocations" update and print the result
  starter preview <propertyId> [--format text|json|csv]
                                   list every change the sync would make now and in the
                                   next 30 days (mode: preview writes nothing), with the
                                   adoption proposal; csv: a header row, one change a row
  starter adopt <propertyId> [--apply] [--format text|json]
                                   match hand-made Brivo users to Entrata residents;
                                   --apply takes over the matches (the "adopt" update)
  starter explain <propertyId> <customerId|externalId> [--format text|json]
                                   why one person has or lacks access
  starter codec-server [--addr 127.0.0.1:8089] [--origin http://localhost:8233]
                                   serve the payload codec endpoint (needs SYNC_PAYLOAD_KEY)

Environment: TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default),
TEMPORAL_TASK_QUEUE (entrata-brivo), TEMPORAL_API_KEY, TEMPORAL_TLS_CERT,
TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA, SYNC_PAYLOAD_KEY (must match the worker's).
`

// env is the part of the worker's configuration the starter needs.
type env struct {
	Address    string `envconfig:"TEMPORAL_ADDRESS" default:"127.0.0.1:7233"`
	Namespace  string `envconfig:"TEMPORAL_NAMESPACE" default:"default"`
	TaskQueue  string `envconfig:"TEMPORAL_TASK_QUEUE" default:"entrata-brivo"`
	APIKey     string `envconfig:"TEMPORAL_API_KEY"`
	TLSCert    string `envconfig:"TEMPORAL_TLS_CERT"`
	TLSKey     string `envconfig:"TEMPORAL_TLS_KEY"`
	TLSCA      string `envconfig:"TEMPORAL_TLS_CA"`
	PayloadKey string `envconfig:"SYNC_PAYLOAD_KEY"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "starter:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(out, usage)
		if len(args) == 0 {
			return errors.New("no command given")
		}
		return flag.ErrHelp
	}
	var e env
	if err := envconfig.Process("", &e); err != nil {
		return err
	}
	cmd, rest := args[0], args[1:]
	if cmd == "codec-server" {
		return codecServer(ctx, e, rest)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	tlsCfg, err := (&config.Config{Temporal: config.Temporal{
		APIKey: config.Secret(e.APIKey), TLSCert: e.TLSCert, TLSKey: config.Secret(e.TLSKey), TLSCA: e.TLSCA,
	}}).TLSConfig()
	if err != nil {
		return err
	}
	c, err := temporalclient.Dial(ctx, temporalclient.Options{
		Address: e.Address, Namespace: e.Namespace, APIKey: e.APIKey, TLS: tlsCfg,
		PayloadKey: e.PayloadKey, Logger: logger,
	})
	if err != nil {
		return err
	}
	defer c.Close()
	op := &operator{c: c, taskQueue: e.TaskQueue, out: out}

	switch cmd {
	case "schedule":
		return op.schedule(ctx, rest)
	case "discover":
		return op.discover(ctx)
	}
	switch cmd {
	case "preview", "adopt", "explain":
		return op.onboarding(ctx, cmd, rest)
	}
	if len(rest) != 1 || rest[0] == "" {
		return fmt.Errorf("%s needs exactly one <propertyId>\n\n%s", cmd, usage)
	}
	id := rest[0]
	switch cmd {
	case "sync":
		return op.sync(ctx, id)
	case "status":
		return op.status(ctx, id)
	case "upcoming":
		return op.query(ctx, id, "upcoming")
	case "pause", "resume":
		return op.signal(ctx, id, cmd)
	case "approve":
		return op.approve(ctx, id)
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
