// Command sandbox runs the Entrata and Brivo simulators: together, seeded
// with one generated demo portfolio and its mapping file (the default, used
// by make run), or each alone.
//
//	sandbox [--data .data] [--entrata-addr 127.0.0.1:8071] [--brivo-addr 127.0.0.1:8072]
//	        [--properties 3] [--units 40] [--seed 1] [--demo-in 90s] [--demo-out 150s]
//	sandbox entratasim [--addr 127.0.0.1:8071] [--properties 3] [--units 40] [--seed 1]
//	sandbox brivosim [--addr 127.0.0.1:8072]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/entratasim"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, os.Args[1:], logger); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, logger *slog.Logger) error {
	if len(args) > 0 {
		switch args[0] {
		case "entratasim":
			fs := flag.NewFlagSet("entratasim", flag.ContinueOnError)
			addr := fs.String("addr", "127.0.0.1:8071", "listen address")
			props := fs.Int("properties", 3, "properties to generate")
			units := fs.Int("units", 40, "units per property")
			seed := fs.Int64("seed", 1, "generator seed")
			if err := fs.Parse(args[1:]); err != nil {
				return err
			}
			return entratasim.ListenAndServe(ctx, *addr,
				entratasim.Options{APIKey: sandbox.EntrataAPIKey, Username: "sandbox-user", Password: "sandbox-password"},
				entratasim.GenOptions{Seed: *seed, Properties: *props, UnitsPerProperty: *units, FirstPropertyID: 100}, logger)
		case "brivosim":
			fs := flag.NewFlagSet("brivosim", flag.ContinueOnError)
			addr := fs.String("addr", "127.0.0.1:8072", "listen address")
			if err := fs.Parse(args[1:]); err != nil {
				return err
			}
			return brivosim.ListenAndServe(ctx, *addr, brivosim.Options{
				APIKey: sandbox.BrivoAPIKey, ClientID: sandbox.BrivoClientID, ClientSecret: sandbox.BrivoClientSecret,
				Username: sandbox.BrivoUsername, Password: sandbox.BrivoPassword,
			}, logger)
		}
	}
	return runBoth(ctx, args, logger)
}

func runBoth(ctx context.Context, args []string, logger *slog.Logger) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	data := fs.String("data", ".data", "folder for mapping.yaml, sandbox.env and demo.json")
	entrataAddr := fs.String("entrata-addr", "127.0.0.1:8071", "Entrata simulator listen address")
	brivoAddr := fs.String("brivo-addr", "127.0.0.1:8072", "Brivo simulator listen address")
	props := fs.Int("properties", 3, "demo properties")
	units := fs.Int("units", 40, "units per property")
	seed := fs.Int64("seed", 1, "portfolio generator seed")
	demoIn := fs.Duration("demo-in", 90*time.Second, "demo move-in this long after start (0: no demo residents)")
	demoOut := fs.Duration("demo-out", 150*time.Second, "demo move-out this long after start")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o := sandbox.Options{Seed: *seed, Properties: *props, Units: *units, Now: time.Now()}
	if *demoIn > 0 {
		o.Demo = &sandbox.Demo{MoveInAfter: *demoIn, MoveOutAfter: *demoOut}
	}
	sb, err := sandbox.New(o)
	if err != nil {
		return err
	}
	eln, err := net.Listen("tcp", *entrataAddr)
	if err != nil {
		return fmt.Errorf("--entrata-addr: %w", err)
	}
	bln, err := net.Listen("tcp", *brivoAddr)
	if err != nil {
		return fmt.Errorf("--brivo-addr: %w", err)
	}
	entrataURL, brivoURL := "http://"+eln.Addr().String(), "http://"+bln.Addr().String()
	if err := sb.WriteFiles(*data, entrataURL, brivoURL); err != nil {
		return fmt.Errorf("write sandbox files: %w", err)
	}
	logger.Info("sandbox running", "entrata", entrataURL, "brivo", brivoURL, "properties", sb.PropertyIDs(), "data", *data)
	if sb.Demo != nil {
		logger.Info("demo transitions", "moveIn", sb.Demo.MoveIn.ExternalID, "moveInAt", sb.Demo.MoveIn.At.Local().Format(time.TimeOnly),
			"moveOut", sb.Demo.MoveOut.ExternalID, "moveOutAt", sb.Demo.MoveOut.At.Local().Format(time.TimeOnly))
	}

	g, gctx := errgroup.WithContext(ctx)
	for _, s := range []struct {
		ln net.Listener
		h  http.Handler
	}{{eln, sb.Entrata}, {bln, sb.Brivo}} {
		srv := &http.Server{Handler: s.h, ReadHeaderTimeout: 10 * time.Second}
		g.Go(func() error {
			if err := srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
		g.Go(func() error {
			<-gctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		})
	}
	return g.Wait()
}
