package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/entrata-brivo/entrata-brivo/internal/codec"
	"github.com/entrata-brivo/entrata-brivo/workflows"
)

// operator runs the starter's commands against one Temporal client.
type operator struct {
	c         client.Client
	taskQueue string
	out       io.Writer
}

func (o *operator) startOptions(propertyID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       workflows.PropertySyncWorkflowID(propertyID),
		TaskQueue:                o.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SearchAttrPropertyID.ValueSet(propertyID),
			workflows.SearchAttrSyncState.ValueSet(workflows.StateOK),
		),
	}
}

// schedule creates the discovery schedule, or updates it when it exists.
func (o *operator) schedule(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("schedule", flag.ContinueOnError)
	every := fs.Duration("every", time.Hour, "how often the discovery sweep runs")
	trigger := fs.Bool("trigger", false, "also run the sweep once now")
	paused := fs.Bool("paused", false, "create the schedule paused")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *every < time.Minute {
		return fmt.Errorf("--every %s: must be at least 1m", *every)
	}
	spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: *every}}}
	action := &client.ScheduleWorkflowAction{
		ID:        "entrata-brivo-discovery-run",
		Workflow:  workflows.DiscoverPropertiesWorkflowType,
		Args:      []any{workflows.DiscoverInput{}},
		TaskQueue: o.taskQueue,
	}
	sc := o.c.ScheduleClient()
	h, err := sc.Create(ctx, client.ScheduleOptions{
		ID:      workflows.DiscoveryScheduleID,
		Spec:    spec,
		Action:  action,
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Paused:  *paused,
		Note:    "entrata-brivo: ensure a PropertySync runs for every mapped property",
	})
	verb := "created"
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		h = sc.GetHandle(ctx, workflows.DiscoveryScheduleID)
		err = h.Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				s := in.Description.Schedule
				s.Spec = &spec
				s.Action = action
				s.Policy.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
				return &client.ScheduleUpdate{Schedule: &s}, nil
			},
		})
		verb = "updated"
	}
	if err != nil {
		return fmt.Errorf("schedule %s: %w", workflows.DiscoveryScheduleID, err)
	}
	fmt.Fprintf(o.out, "schedule %s %s: DiscoverProperties every %s on task queue %s\n",
		workflows.DiscoveryScheduleID, verb, *every, o.taskQueue)
	if *trigger {
		if err := h.Trigger(ctx, client.ScheduleTriggerOptions{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL}); err != nil {
			return fmt.Errorf("trigger schedule: %w", err)
		}
		fmt.Fprintln(o.out, "triggered one discovery sweep")
	}
	return nil
}

func (o *operator) discover(ctx context.Context) error {
	run, err := o.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "entrata-brivo-discovery-manual",
		TaskQueue: o.taskQueue,
	}, workflows.DiscoverPropertiesWorkflowType, workflows.DiscoverInput{})
	if err != nil {
		return err
	}
	var report workflows.DiscoverReport
	if err := run.Get(ctx, &report); err != nil {
		return err
	}
	return printJSON(o.out, report)
}

// sync starts the property's workflow if absent and runs the sync update.
func (o *operator) sync(ctx context.Context, id string) error {
	start := o.c.NewWithStartWorkflowOperation(o.startOptions(id), workflows.PropertySyncWorkflowType,
		workflows.PropertySyncInput{PropertyID: id})
	h, err := o.c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID:   workflows.PropertySyncWorkflowID(id),
			UpdateName:   workflows.UpdateSync,
			Args:         []any{workflows.SyncRequest{Reason: "starter sync"}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return fmt.Errorf("sync %s: %w", id, err)
	}
	var report workflows.SyncReport
	if err := h.Get(ctx, &report); err != nil {
		return fmt.Errorf("sync %s: %w", id, err)
	}
	return printJSON(o.out, report)
}

func (o *operator) query(ctx context.Context, id, name string) error {
	v, err := o.c.QueryWorkflow(ctx, workflows.PropertySyncWorkflowID(id), "", name)
	if err != nil {
		return notRunning(id, err)
	}
	var out any
	if err := v.Get(&out); err != nil {
		return err
	}
	return printJSON(o.out, out)
}

// status prints the status query, with the age of the property's oldest
// unverified Brivo record (time since its last audit began) worked out at
// the moment of asking.
func (o *operator) status(ctx context.Context, id string) error {
	v, err := o.c.QueryWorkflow(ctx, workflows.PropertySyncWorkflowID(id), "", workflows.QueryStatus)
	if err != nil {
		return notRunning(id, err)
	}
	var out map[string]any
	if err := v.Get(&out); err != nil {
		return err
	}
	var st workflows.Status
	if err := v.Get(&st); err == nil && st.LastAudit != nil {
		out["oldestUnverifiedAge"] = time.Since(*st.LastAudit).Round(time.Second).String()
	}
	return printJSON(o.out, out)
}

func (o *operator) signal(ctx context.Context, id, name string) error {
	if err := o.c.SignalWorkflow(ctx, workflows.PropertySyncWorkflowID(id), "", name, nil); err != nil {
		return notRunning(id, err)
	}
	fmt.Fprintf(o.out, "sent %s to %s\n", name, workflows.PropertySyncWorkflowID(id))
	return nil
}

func (o *operator) approve(ctx context.Context, id string) error {
	h, err := o.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.PropertySyncWorkflowID(id),
		UpdateName:   workflows.UpdateApproveRevocations,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return notRunning(id, err)
	}
	var r workflows.ApproveReport
	if err := h.Get(ctx, &r); err != nil {
		return fmt.Errorf("approve %s: %w", id, err)
	}
	return printJSON(o.out, r)
}

func notRunning(id string, err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("no PropertySync for property %s (workflow %s): start it with `starter sync %s`",
			id, workflows.PropertySyncWorkflowID(id), id)
	}
	return err
}

// codecServer serves the payload codec endpoint for the Web UI and the
// temporal CLI (--codec-endpoint).
func codecServer(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("codec-server", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8089", "listen address")
	origin := fs.String("origin", "http://localhost:8233", "Web UI origin allowed by CORS")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if e.PayloadKey == "" {
		return errors.New("SYNC_PAYLOAD_KEY is not set: the codec server needs the workers' key")
	}
	c, err := codec.NewCodec(e.PayloadKey)
	if err != nil {
		return fmt.Errorf("SYNC_PAYLOAD_KEY: %w", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: codec.NewHTTPHandler(c, *origin, "http://127.0.0.1:8233"), ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	fmt.Fprintf(os.Stderr, "codec server on http://%s (key %s)\n", ln.Addr(), c.KeyID())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
