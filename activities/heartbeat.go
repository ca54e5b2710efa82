package activities

import (
	"context"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
)

// heartbeatPeriod is how often a running activity tells Temporal it is
// alive, well inside the workflows' 10 s heartbeat timeouts.
const heartbeatPeriod = 3 * time.Second

// heartbeats records a heartbeat now and then every heartbeatPeriod until
// stopped, with the latest progress set. Liveness so does not depend on how
// long one Brivo or Entrata call takes (rate-limit waits, slow answers),
// while a dead worker is still noticed within the timeout.
type heartbeats struct {
	mu      sync.Mutex
	details any
	stop    chan struct{}
	done    chan struct{}
}

func startHeartbeats(ctx context.Context, initial any) *heartbeats {
	h := &heartbeats{details: initial, stop: make(chan struct{}), done: make(chan struct{})}
	if !activity.IsActivity(ctx) {
		close(h.done)
		return h
	}
	activity.RecordHeartbeat(ctx, initial)
	go func() {
		defer close(h.done)
		t := time.NewTicker(heartbeatPeriod)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				h.mu.Lock()
				d := h.details
				h.mu.Unlock()
				activity.RecordHeartbeat(ctx, d)
			}
		}
	}()
	return h
}

// progress sets the details the next heartbeat carries.
func (h *heartbeats) progress(d any) {
	h.mu.Lock()
	h.details = d
	h.mu.Unlock()
}

func (h *heartbeats) close() {
	select {
	case <-h.done:
	default:
		close(h.stop)
		<-h.done
	}
}
