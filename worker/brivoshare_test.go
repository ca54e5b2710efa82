package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// fakeQueue answers the enhanced describe with pollers split over the
// workflow and activity types, as partitions are merged by the server.
type fakeQueue struct {
	pollers []client.TaskQueuePollerInfo
	err     error
}

func (f *fakeQueue) DescribeTaskQueueEnhanced(context.Context, client.DescribeTaskQueueEnhancedOptions) (client.TaskQueueDescription, error) {
	half := len(f.pollers) / 2
	//lint:ignore SA1019 the enhanced describe reports unversioned pollers there
	return client.TaskQueueDescription{VersionsInfo: map[string]client.TaskQueueVersionInfo{"": {
		TypesInfo: map[client.TaskQueueType]client.TaskQueueTypeInfo{
			client.TaskQueueTypeWorkflow: {Pollers: f.pollers[:half]},
			client.TaskQueueTypeActivity: {Pollers: f.pollers[half:]},
		},
	}}}, f.err
}

func poller(id string, at time.Time) client.TaskQueuePollerInfo {
	return client.TaskQueuePollerInfo{Identity: id, LastAccessTime: at}
}

// The budget is divided among the workers that polled recently, this one
// included even before its first poll shows; a dead worker's share returns
// once its last poll is old; a failed count keeps the last share.
func TestBrivoShareDividesTheBudgetAmongLiveWorkers(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	q := &fakeQueue{}
	var rates []float64
	var released []time.Time
	s := &brivoShare{tc: q, queue: "entrata-brivo", self: "0000001@a", budget: 30,
		setRate: func(r float64) { rates = append(rates, r) }, logger: slog.New(slog.DiscardHandler),
		now: func() time.Time { return now }, release: func(t time.Time) { released = append(released, t) }}

	q.pollers = []client.TaskQueuePollerInfo{poller("0000002@b", now.Add(-time.Second)), poller("0000002@b", now), poller("0000003@c", now)}
	s.refresh(context.Background())
	if s.workers != 3 || rates[len(rates)-1] != brivoHeadroom*10 {
		t.Fatalf("3 workers (self not polling yet): workers %d rate %v", s.workers, rates)
	}
	if len(released) != 0 {
		t.Fatal("released the hold before the server listed this worker")
	}
	// c dies: its last poll ages past pollerAlive.
	q.pollers = []client.TaskQueuePollerInfo{poller("0000001@a", now), poller("0000002@b", now), poller("0000003@c", now.Add(-pollerAlive-time.Second))}
	s.refresh(context.Background())
	if s.workers != 2 || rates[len(rates)-1] != brivoHeadroom*15 {
		t.Fatalf("after a death: workers %d rates %v", s.workers, rates)
	}
	if len(released) != 1 || !released[0].Equal(now.Add(2*shareRefresh)) {
		t.Fatalf("hold released %v; want once, two refreshes after the server listed this worker", released)
	}
	n := len(rates)
	q.err = errors.New("unavailable")
	s.refresh(context.Background())
	if s.workers != 2 || len(rates) != n {
		t.Fatalf("a failed count changed the share: workers %d rates %v", s.workers, rates)
	}
	// A worker joins: every share shrinks, and the sum never exceeds the budget.
	q.err = nil
	q.pollers = append(q.pollers, poller("0000004@d", now))
	s.refresh(context.Background())
	if got := rates[len(rates)-1] * float64(s.workers); s.workers != 3 || got > 30 {
		t.Fatalf("after a join: workers %d, sum of shares %v > budget 30", s.workers, got)
	}
}
