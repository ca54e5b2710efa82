package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/entrata-brivo/entrata-brivo/activities"
	"github.com/entrata-brivo/entrata-brivo/workflows"
)

// scaleCycle is the history cost of a property's steady polls in a scale
// run: whole poll cycles (a poll, then sleep until the next activity) when
// any were seen, and the poll itself (from FetchPlan's scheduling to the
// workflow's next timer or activity), which every steady poll has whatever
// follows it. A scale run's short audit interval keeps a full-size
// property's audit due at every poll, so its polls are followed at once by
// an audit, not by a sleep: the poll is then the part that can be compared
// with a small property's.
type scaleCycle struct {
	residents int
	whole     historyCost // poll cycles
	poll      historyCost // the polls alone
}

// historyCost is the largest of several history segments.
type historyCost struct {
	n      int // segments seen
	events int
	bytes  int // as stored
	// fixedBytes leaves out the clock (withoutClock) and the counters that
	// grow with the history or differ by worker (withoutCounters), so that
	// segments of a long and a short history, on different workers, compare.
	fixedBytes int
}

func (c historyCost) String() string {
	if c.n == 0 {
		return "none seen"
	}
	return fmt.Sprintf("%d events, %d bytes (%d without clock fields and counters), largest of %d",
		c.events, c.bytes, c.fixedBytes, c.n)
}

// add counts a segment.
func (c *historyCost) add(seg []*historypb.HistoryEvent) {
	one := historyCost{n: 1, events: len(seg)}
	for _, ev := range seg {
		one.bytes += proto.Size(ev)
		one.fixedBytes += proto.Size(withoutCounters(withoutClock(ev)))
	}
	*c = largerOf(*c, one)
}

// larger reports whether c is larger than small in events or fixed bytes.
func (c historyCost) larger(small historyCost) bool {
	return c.events > small.events || c.fixedBytes > small.fixedBytes
}

// pollCycles cuts the history into steady poll cycles: from a FetchPlan's
// scheduling to the next activity's, when the workflow slept in between
// (it found nothing to apply) and no signal came. With consecutive polls
// these are steadyCycles' segments; they also count a poll followed by an
// audit or a transition after a sleep.
func pollCycles(events []*historypb.HistoryEvent) [][]*historypb.HistoryEvent {
	var out [][]*historypb.HistoryEvent
	start := -1
	for i, ev := range events {
		a := ev.GetActivityTaskScheduledEventAttributes()
		if a == nil {
			continue
		}
		if start >= 0 {
			seg := events[start:i]
			if slept(seg) && !hasApply(seg) {
				out = append(out, seg)
			}
		}
		start = -1
		if a.GetActivityType().GetName() == "FetchPlan" {
			start = i
		}
	}
	return out
}

// polls cuts the history into steady polls: from a FetchPlan's scheduling
// to the workflow's next timer or activity, when the fetch completed and
// found Entrata unchanged. Whatever follows (a sleep, an audit) is not part
// of the poll.
func polls(events []*historypb.HistoryEvent) [][]*historypb.HistoryEvent {
	var out [][]*historypb.HistoryEvent
	for i, ev := range events {
		a := ev.GetActivityTaskScheduledEventAttributes()
		if a == nil || a.GetActivityType().GetName() != "FetchPlan" {
			continue
		}
		unchanged := false
		for j := i + 1; j < len(events); j++ {
			if c := events[j].GetActivityTaskCompletedEventAttributes(); c != nil {
				var sum activities.PlanSummary
				unchanged = converter.GetDefaultDataConverter().FromPayloads(c.GetResult(), &sum) == nil && !sum.Changed
				continue
			}
			switch events[j].GetEventType() {
			case enumspb.EVENT_TYPE_TIMER_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				if unchanged {
					out = append(out, events[i:j])
				}
				j = len(events)
			}
		}
	}
	return out
}

func slept(seg []*historypb.HistoryEvent) bool {
	for _, ev := range seg {
		if ev.GetEventType() == enumspb.EVENT_TYPE_TIMER_STARTED {
			return true
		}
	}
	return false
}

// withoutCounters returns a copy of ev without the fields whose encoded
// width depends on how long the history or the server has run, or on
// which worker took the task: event, task and version numbers, references
// to other events, the history size a workflow task reports, activity and
// timer ids (per-run counters), worker identities and request ids.
func withoutCounters(ev *historypb.HistoryEvent) *historypb.HistoryEvent {
	return without(ev, isCounter)
}

func isCounter(fd protoreflect.FieldDescriptor) bool {
	name := string(fd.Name())
	switch fd.Kind() {
	case protoreflect.Int64Kind:
		return name == "event_id" || name == "task_id" || name == "version" ||
			name == "history_size_bytes" || strings.HasSuffix(name, "_event_id")
	case protoreflect.StringKind:
		return name == "identity" || name == "request_id" || name == "activity_id" || name == "timer_id"
	}
	return name == "sdk_metadata" // the SDK's flags, written once per run
}

// cycleCostOf measures the property's steady poll cycles and polls in its
// workflow history: the largest, in events and in bytes, and the number
// seen. Segments with a version marker (written once per run whatever the
// size), a signal or a cancelled timer are not steady and are left out: a
// timer is cancelled when a poll that watched for a transition due during
// it (workflows' awaitFetch: two events, whatever the size) came back first,
// or when a request cut a sleep short.
func cycleCostOf(t *testing.T, s *stack, propertyID string) scaleCycle {
	t.Helper()
	st, err := s.status(propertyID)
	if err != nil {
		t.Fatal(err)
	}
	c := scaleCycle{residents: st.Entitled}
	events := history(t, s, workflows.PropertySyncWorkflowID(propertyID))
	steady := func(seg []*historypb.HistoryEvent) bool {
		return !slices.ContainsFunc(seg, func(ev *historypb.HistoryEvent) bool {
			return ev.GetEventType() == enumspb.EVENT_TYPE_MARKER_RECORDED ||
				ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED ||
				ev.GetEventType() == enumspb.EVENT_TYPE_TIMER_CANCELED
		})
	}
	for _, seg := range pollCycles(events) {
		if steady(seg) {
			c.whole.add(seg)
		}
	}
	for _, seg := range polls(events) {
		if steady(seg) {
			c.poll.add(seg)
		}
	}
	return c
}

// steadyCost measures the steady polls and poll cycles of the small
// reference properties and of a sample of full-size ones (the largest of
// each group). A poll is steady only when it lands on the worker that holds
// the plan, so it waits, up to three polls more, until both groups have
// shown a steady poll, and a whole cycle if the run has them.
func steadyCost(t *testing.T, s *stack, cfg scaleConfig, references, sample []string) (small, large scaleCycle) {
	t.Helper()
	largest := func(ids []string) scaleCycle {
		var out scaleCycle
		for _, id := range ids {
			c := cycleCostOf(t, s, id)
			out.residents = max(out.residents, c.residents)
			out.whole = largerOf(out.whole, c.whole)
			out.poll = largerOf(out.poll, c.poll)
		}
		return out
	}
	deadline := time.Now().Add(3*cfg.poll + 30*time.Second)
	for {
		small, large = largest(references), largest(sample)
		polled := small.poll.n > 0 && large.poll.n > 0
		if (polled && small.whole.n > 0 && large.whole.n > 0) || (polled && cfg.audit < cfg.poll) || time.Now().After(deadline) {
			return small, large
		}
		time.Sleep(cfg.poll / 2)
	}
}

// largerOf returns the largest figures of two costs and the segments of both.
func largerOf(a, b historyCost) historyCost {
	return historyCost{n: a.n + b.n, events: max(a.events, b.events), bytes: max(a.bytes, b.bytes),
		fixedBytes: max(a.fixedBytes, b.fixedBytes)}
}

// applyHops counts, over the properties' histories, the applies after the
// first and those sent to another worker's queue than the one before: such
// an apply reads the property's Brivo records again (no applied token).
func applyHops(t *testing.T, s *stack, ids []string) (applies, hops int) {
	t.Helper()
	for _, id := range ids {
		last := ""
		for _, ev := range history(t, s, workflows.PropertySyncWorkflowID(id)) {
			a := ev.GetActivityTaskScheduledEventAttributes()
			if a == nil || a.GetActivityType().GetName() != "ApplyPlan" {
				continue
			}
			q := a.GetTaskQueue().GetName()
			if last != "" {
				applies++
				if q != last {
					hops++
				}
			}
			last = q
		}
	}
	return applies, hops
}

// firstApplies returns, per property, when its first ApplyPlan completed:
// the end of its own initial sync (the zero time if none did).
func firstApplies(t *testing.T, s *stack, ids []string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	for _, id := range ids {
		applies := map[int64]bool{}
		for _, ev := range history(t, s, workflows.PropertySyncWorkflowID(id)) {
			if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == "ApplyPlan" {
				applies[ev.GetEventId()] = true
			}
			if c := ev.GetActivityTaskCompletedEventAttributes(); c != nil && applies[c.GetScheduledEventId()] {
				out[id] = ev.GetEventTime().AsTime()
				break
			}
		}
	}
	return out
}
