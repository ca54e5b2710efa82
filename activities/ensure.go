package activities

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Contract names used to reach PropertySync from an activity. They repeat
// workflows' constants because workflows imports this package; a test in
// workflows asserts they agree.
const (
	PropertySyncType      = "PropertySync"
	PropertySyncIDPrefix  = "property-sync-"
	SyncNowSignal         = "sync-now"
	searchAttrPropertyID  = "EntrataPropertyId"
	searchAttrSyncState   = "SyncState"
	initialSyncStateValue = "ok"
)

// EnsurePropertySyncs makes sure a PropertySync runs for every property in
// the input: it starts the absent ones with signal-with-start (conflict
// policy "use existing", so a race with another sweep is harmless) and leaves
// running ones alone.
func (a *Activities) EnsurePropertySyncs(ctx context.Context, in EnsureInput) (EnsureResult, error) {
	var res EnsureResult
	for i, id := range in.PropertyIDs {
		wid := PropertySyncIDPrefix + id
		desc, err := a.Temporal.DescribeWorkflow(ctx, wid, "")
		if err == nil && desc.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			res.Running = append(res.Running, id)
			continue
		}
		if _, notFound := err.(*serviceerror.NotFound); err != nil && !notFound {
			return res, fmt.Errorf("describe %s: %w", wid, err)
		}
		_, err = a.Temporal.SignalWithStartWorkflow(ctx, wid, SyncNowSignal, nil, client.StartWorkflowOptions{
			ID:                       wid,
			TaskQueue:                a.Config.TaskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			TypedSearchAttributes: temporal.NewSearchAttributes(
				temporal.NewSearchAttributeKeyKeyword(searchAttrPropertyID).ValueSet(id),
				temporal.NewSearchAttributeKeyKeyword(searchAttrSyncState).ValueSet(initialSyncStateValue),
			),
		}, PropertySyncType, map[string]string{"propertyId": id})
		if err != nil {
			return res, fmt.Errorf("start %s: %w", wid, err)
		}
		res.Started = append(res.Started, id)
		activity.RecordHeartbeat(ctx, i)
	}
	return res, nil
}
