package main

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
)

// The Brivo budget (BRIVO_REQUESTS_PER_SECOND) is the account's, shared by
// every worker. Each worker counts the live workers, the distinct identities
// polling the main task queue as the Temporal server reports them, and paces
// its own calls at brivoHeadroom × budget ÷ that count. A worker that joins
// holds its Brivo calls until the server lists it among the pollers and two
// refresh periods more, so every other worker has shrunk its share first; a
// worker that dies stops polling, and the others take its share once its
// last poll is older than pollerAlive (until then they only use less than
// the budget). The dead worker's work costs a retry elsewhere.
const (
	shareRefresh = 3 * time.Second
	// pollerAlive covers an idle worker's long poll (about a minute).
	pollerAlive = 75 * time.Second
	// brivoHeadroom keeps the sum of the workers' paces under the budget
	// when their calls arrive bunched by the network.
	brivoHeadroom = 0.9
)

// taskQueueDescriber is the part of the Temporal client the share needs.
// The enhanced describe gathers the pollers of every partition of the queue:
// a real cluster splits a task queue into several partitions (four by
// default), and the plain describe reports only the root partition's
// pollers, which would miss workers and so overspend the budget.
type taskQueueDescriber interface {
	DescribeTaskQueueEnhanced(ctx context.Context, options client.DescribeTaskQueueEnhancedOptions) (client.TaskQueueDescription, error)
}

// brivoShare keeps this worker's Brivo rate at its share of the budget.
type brivoShare struct {
	tc       taskQueueDescriber
	queue    string
	self     string
	budget   float64
	setRate  func(float64)
	logger   *slog.Logger
	now      func() time.Time
	workers  int
	onChange func(workers int, perSecond float64)
	// release ends this worker's hold on Brivo calls (HoldUntil); nil
	// once done.
	release func(time.Time)
}

// liveWorkers counts the distinct identities that polled the queue within
// pollerAlive, this worker included.
func (s *brivoShare) liveWorkers(ctx context.Context) (int, error) {
	desc, err := s.tc.DescribeTaskQueueEnhanced(ctx, client.DescribeTaskQueueEnhancedOptions{
		TaskQueue: s.queue, ReportPollers: true,
	})
	if err != nil {
		return 0, err
	}
	ids := map[string]bool{}
	//lint:ignore SA1019 the per-build-id poller lists are what the enhanced describe reports for unversioned workers
	for _, version := range desc.VersionsInfo {
		for _, typ := range version.TypesInfo {
			for _, p := range typ.Pollers {
				if !p.LastAccessTime.IsZero() && s.now().Sub(p.LastAccessTime) <= pollerAlive {
					ids[p.Identity] = true
				}
			}
		}
	}
	if ids[s.self] && s.release != nil {
		// The others see this worker from their next refresh on.
		s.release(s.now().Add(2 * shareRefresh))
		s.release = nil
	}
	ids[s.self] = true
	return len(ids), nil
}

// refresh recounts the workers and sets the rate; on error the last count
// stays.
func (s *brivoShare) refresh(ctx context.Context) {
	n, err := s.liveWorkers(ctx)
	if err != nil {
		s.logger.Warn("brivo budget: cannot count the live workers; keeping the last share", "error", err)
		return
	}
	if n == s.workers {
		return
	}
	s.workers = n
	perSecond := brivoHeadroom * s.budget / float64(n)
	s.setRate(perSecond)
	s.logger.Info("brivo budget shared", "workers", n, "budget", s.budget, "perSecond", perSecond)
	if s.onChange != nil {
		s.onChange(n, perSecond)
	}
}

// run refreshes the share until ctx ends.
func (s *brivoShare) run(ctx context.Context) {
	t := time.NewTicker(shareRefresh)
	defer t.Stop()
	for {
		s.refresh(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
