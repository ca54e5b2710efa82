package brivosim

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ListenAndServe runs the simulator on addr, seeded with SeedDemo("Demo
// Apartments", 6), until ctx ends. Requests are logged (method, path,
// status, duration; never headers or bodies).
func ListenAndServe(ctx context.Context, addr string, opts Options, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.Default()
	}
	sim := New(opts)
	demo := sim.SeedDemo("Demo Apartments", 6)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: logRequests(sim, logger), ReadHeaderTimeout: 10 * time.Second}
	logger.Info("brivo simulator listening", "addr", ln.Addr().String(),
		"site", demo.Site.ID, "buildingGroup", demo.BuildingGroup.ID, "amenitiesGroup", demo.AmenitiesGroup.ID,
		"unitGroups", len(demo.UnitGroups))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutCtx); err != nil {
			return err
		}
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func logRequests(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration", time.Since(start))
	})
}
