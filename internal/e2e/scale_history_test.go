package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/entrata-brivo/entrata-brivo/workflows"
)

// scaleCycle is the history cost of a property's steady poll cycles in a
// scale run: the largest seen, and how many were seen.
type scaleCycle struct {
	residents int
	cycles    int
	events    int
	bytes     int // as stored
	// fixedBytes leaves out the clock (withoutClock) and the counters that
	// grow with the history or differ by worker (withoutCounters), so that
	// cycles of a long and a short history, on different workers, compare.
	fixedBytes int
}

func (c scaleCycle) String() string {
	if c.cycles == 0 {
		return "no steady poll cycle seen"
	}
	return fmt.Sprintf("%d events, %d bytes (%d without clock fields and counters), largest of %d cycles",
		c.events, c.bytes, c.fixedBytes, c.cycles)
}

// pollCycles cuts the history into steady poll cycles: from a FetchPlan's
// scheduling to the next activity's, when the workflow slept in between
// (it found nothing to apply) and no signal came. With consecutive polls
// these are steadyCycles' segments; they also count a poll followed by an
// audit or a transition, which a scale run's short audit interval makes
// the common case.
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

// cycleCostOf measures the property's steady poll cycles in its workflow
// history: the largest, in events and in bytes, and the number seen.
func cycleCostOf(t *testing.T, s *stack, propertyID string) scaleCycle {
	t.Helper()
	st, err := s.status(propertyID)
	if err != nil {
		t.Fatal(err)
	}
	c := scaleCycle{residents: st.Entitled}
	events := history(t, s, workflows.PropertySyncWorkflowID(propertyID))
	for _, seg := range pollCycles(events) {
		if slices.ContainsFunc(seg, func(ev *historypb.HistoryEvent) bool {
			return ev.GetEventType() == enumspb.EVENT_TYPE_MARKER_RECORDED
		}) {
			continue // a version marker, written once per run whatever the size
		}
		c.cycles++
		b, f := 0, 0
		for _, ev := range seg {
			b += proto.Size(ev)
			f += proto.Size(withoutCounters(withoutClock(ev)))
		}
		c.events, c.bytes, c.fixedBytes = max(c.events, len(seg)), max(c.bytes, b), max(c.fixedBytes, f)
	}
	return c
}

// steadyCost measures the steady poll cycles of the small reference
// properties and of a sample of full-size ones (the largest cycle of each
// group). A poll is steady only when it lands on the worker that holds the
// plan, so it waits, up to three polls more, until both groups have shown
// one.
func steadyCost(t *testing.T, s *stack, cfg scaleConfig, references, sample []string) (small, large scaleCycle) {
	t.Helper()
	largest := func(ids []string) scaleCycle {
		var out scaleCycle
		for _, id := range ids {
			c := cycleCostOf(t, s, id)
			switch {
			case c.cycles > 0 && (out.cycles == 0 || c.events > out.events || c.fixedBytes > out.fixedBytes):
				out = c
			case out.cycles == 0 && c.residents > out.residents:
				out.residents = c.residents
			}
		}
		return out
	}
	deadline := time.Now().Add(3*cfg.poll + 30*time.Second)
	for {
		small, large = largest(references), largest(sample)
		if (small.cycles > 0 && large.cycles > 0) || time.Now().After(deadline) {
			return small, large
		}
		time.Sleep(cfg.poll / 2)
	}
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
