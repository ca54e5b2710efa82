package e2e

import (
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// TestWithoutCountersComparesCyclesAcrossHistories checks the
// normalisation the scale run compares history with: the same cycle, early
// in a short history on one worker and late in a long one on another,
// measures the same; a cycle that carries one more byte of payload does
// not.
func TestWithoutCountersComparesCyclesAcrossHistories(t *testing.T) {
	started := func(id, taskID, size int64, identity string, at time.Time) *historypb.HistoryEvent {
		return &historypb.HistoryEvent{
			EventId: id, TaskId: taskID, EventTime: timestamppb.New(at),
			EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
			Attributes: &historypb.HistoryEvent_WorkflowTaskStartedEventAttributes{
				WorkflowTaskStartedEventAttributes: &historypb.WorkflowTaskStartedEventAttributes{
					ScheduledEventId: id - 1, Identity: identity, RequestId: "0f6e2a57-6a6e-4a3b-9d38-5d7c1c2c4b1e",
					HistorySizeBytes: size,
				},
			},
		}
	}
	scheduled := func(id int64, activityID string, input string) *historypb.HistoryEvent {
		return &historypb.HistoryEvent{
			EventId: id, EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
			Attributes: &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{
				ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
					ActivityId: activityID, WorkflowTaskCompletedEventId: id - 1,
					Input: &commonpb.Payloads{Payloads: []*commonpb.Payload{{Data: []byte(input)}}},
				},
			},
		}
	}
	size := func(evs ...*historypb.HistoryEvent) (raw, fixed int) {
		for _, ev := range evs {
			raw += proto.Size(ev)
			fixed += proto.Size(withoutCounters(withoutClock(ev)))
		}
		return raw, fixed
	}
	early := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	shortRaw, short := size(started(12, 1<<10, 9_000, "812@vm", early), scheduled(14, "5", `{"PropertyID":"111"}`))
	longRaw, long := size(started(4012, 1<<30, 3_000_000, "1048576@vm", early.Add(time.Hour)), scheduled(4014, "1205", `{"PropertyID":"100"}`))
	if shortRaw == longRaw {
		t.Fatalf("the two cycles' raw sizes are equal (%d): the test no longer exercises the counters", shortRaw)
	}
	if short != long {
		t.Fatalf("the same cycle measures %d bytes early in a short history and %d late in a long one", short, long)
	}
	_, grown := size(started(4012, 1<<30, 3_000_000, "1048576@vm", early), scheduled(4014, "1205", `{"PropertyID":"1000"}`))
	if grown != long+1 {
		t.Fatalf("one more byte of input measures %d bytes, want %d: the normalisation hides real growth", grown, long+1)
	}
}
