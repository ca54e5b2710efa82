package entratasim

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// ListenAndServe runs a simulator on addr with a portfolio generated from
// gen (Today defaults to the simulated today) until ctx ends. It logs the
// address and the base URLs of both auth modes, never the credentials.
func ListenAndServe(ctx context.Context, addr string, opts Options, gen GenOptions, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Logger == nil {
		opts.Logger = logger
	}
	s := New(opts)
	if gen.Today.IsZero() {
		gen.Today = s.today()
	}
	s.Load(Generate(gen))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	org := opts.Org
	if org == "" {
		org = "sim"
	}
	logger.Info("entrata simulator listening",
		slog.String("addr", ln.Addr().String()),
		slog.String("apikey_base_url", "http://"+ln.Addr().String()+"/ext/orgs/"+org+"/v1"),
		slog.String("basic_base_url", "http://"+ln.Addr().String()+"/api/v1"),
		slog.Int("properties", max(gen.Properties, 1)),
		slog.String("today", entrata.Date(gen.Today).String()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
