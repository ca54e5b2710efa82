package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
	"github.com/entrata-brivo/entrata-brivo/workflows"
)

// cycleCost is the history cost of one steady-state PropertySync cycle.
type cycleCost struct {
	residents int
	events    int
	bytes     int // as stored
	// fixedBytes leaves out the clock's share: timestamps and durations
	// (event times, timer lengths) whose varint encoding varies by a byte
	// or two from one cycle to the next whatever the residents.
	fixedBytes int
}

// TestHistorySizePerCycle measures, on the dev server, how much history a
// steady-state cycle (a poll in which Entrata has not changed) adds at 10
// and at about 1,000 residents, and requires the second to be no larger.
// The figures go to the test log and, with HISTORY_FIGURES=path, to a file.
func TestHistorySizePerCycle(t *testing.T) {
	needCLI(t)
	small := measureCycle(t, 7)
	large := measureCycle(t, 660)
	line := fmt.Sprintf("steady-state cycle: %d residents: %d events, %d bytes (%d without clock fields); "+
		"%d residents: %d events, %d bytes (%d without clock fields)",
		small.residents, small.events, small.bytes, small.fixedBytes,
		large.residents, large.events, large.bytes, large.fixedBytes)
	t.Log(line)
	if path := os.Getenv("HISTORY_FIGURES"); path != "" {
		_ = os.WriteFile(path, []byte(line+"\n"), 0o644)
	}
	if large.residents < 900 || small.residents > 20 {
		t.Fatalf("portfolio sizes off: %d and %d residents", small.residents, large.residents)
	}
	if large.fixedBytes > small.fixedBytes || large.events > small.events {
		t.Fatalf("a cycle at %d residents (%d events, %d bytes) is larger than at %d (%d events, %d bytes)",
			large.residents, large.events, large.fixedBytes, small.residents, small.events, small.fixedBytes)
	}
}

func measureCycle(t *testing.T, units int) cycleCost {
	t.Helper()
	s := startStack(t, sandbox.Options{Seed: 3, Properties: 1, Units: units, Now: time.Now()},
		map[string]string{"SYNC_POLL_INTERVAL": "1s", "SYNC_AUDIT_INTERVAL": "1h", "BRIVO_REQUESTS_PER_SECOND": "2000"})
	s.discover()
	s.converged(3 * time.Minute)
	// Wait for steady cycles to appear in the history, however slowly a
	// loaded machine runs them, rather than for a fixed time; and for 200
	// events, so the cycles measured have event ids of the same varint
	// width (128..16383) in both runs.
	var events []*historypb.HistoryEvent
	var sizes, fixed, counts []int
	s.eventually("4 steady cycles", 2*time.Minute, func() (bool, string) {
		events = history(t, s, workflows.PropertySyncWorkflowID("100"))
		sizes, fixed, counts = steadyCycles(events)
		return len(sizes) >= 4 && len(events) >= 200, fmt.Sprintf("%d steady cycles among %d events", len(sizes), len(events))
	})
	st, err := s.status("100")
	if err != nil {
		t.Fatal(err)
	}
	s.stopWorker()
	// The last steady cycles: event ids there have the same width in both runs.
	sizes, fixed, counts = sizes[len(sizes)-3:], fixed[len(fixed)-3:], counts[len(counts)-3:]
	return cycleCost{residents: st.Entitled, events: slices.Max(counts), bytes: slices.Max(sizes), fixedBytes: slices.Max(fixed)}
}

// steadyCycles cuts the history at each FetchPlan scheduling (one cycle per
// segment) and measures the complete segments without an apply or a signal.
func steadyCycles(events []*historypb.HistoryEvent) (sizes, fixed, counts []int) {
	var starts []int
	for i, ev := range events {
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == "FetchPlan" {
			starts = append(starts, i)
		}
	}
	for k := 0; k+1 < len(starts); k++ {
		seg := events[starts[k]:starts[k+1]]
		if hasApply(seg) {
			continue // not a steady-state cycle
		}
		b, f := 0, 0
		for _, ev := range seg {
			b += proto.Size(ev)
			f += proto.Size(withoutClock(ev))
		}
		sizes, fixed, counts = append(sizes, b), append(fixed, f), append(counts, len(seg))
	}
	return sizes, fixed, counts
}

// withoutClock returns a copy of ev with every Timestamp and Duration field
// cleared, at any depth.
func withoutClock(ev *historypb.HistoryEvent) *historypb.HistoryEvent {
	return without(ev, isClock)
}

func isClock(fd protoreflect.FieldDescriptor) bool {
	if fd.Kind() != protoreflect.MessageKind || fd.IsMap() {
		return false
	}
	name := fd.Message().FullName()
	return name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration"
}

// without returns a copy of ev with every field that drop names cleared, at
// any depth.
func without(ev *historypb.HistoryEvent, drop func(protoreflect.FieldDescriptor) bool) *historypb.HistoryEvent {
	c := proto.Clone(ev).(*historypb.HistoryEvent)
	clearFields(c.ProtoReflect(), drop)
	return c
}

func clearFields(m protoreflect.Message, drop func(protoreflect.FieldDescriptor) bool) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case drop(fd):
			m.Clear(fd)
		case fd.Kind() != protoreflect.MessageKind || fd.IsMap():
		case fd.IsList():
			for i := 0; i < v.List().Len(); i++ {
				clearFields(v.List().Get(i).Message(), drop)
			}
		default:
			clearFields(v.Message(), drop)
		}
		return true
	})
}

func hasApply(seg []*historypb.HistoryEvent) bool {
	for _, ev := range seg {
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() != "FetchPlan" {
			return true
		}
		if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
			return true
		}
	}
	return false
}

func history(t *testing.T, s *stack, workflowID string) []*historypb.HistoryEvent {
	t.Helper()
	it := s.tc.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var out []*historypb.HistoryEvent
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}
