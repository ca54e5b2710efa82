package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/entrata-brivo/entrata-brivo/activities"
	"github.com/entrata-brivo/entrata-brivo/workflows"
)

// onboarding runs preview, adopt and explain: the commands for connecting a
// property that already uses Brivo (docs/onboarding.md).
func (o *operator) onboarding(ctx context.Context, cmd string, args []string) error {
	format, apply, pos, err := onboardingArgs(args)
	if err != nil {
		return err
	}
	want := 1
	if cmd == "explain" {
		want = 2
	}
	if len(pos) != want {
		return fmt.Errorf("%s needs %s\n\n%s", cmd, map[bool]string{true: "<propertyId> <customerId>", false: "exactly one <propertyId>"}[want == 2], usage)
	}
	id := pos[0]
	switch cmd {
	case "preview":
		res, err := o.runOperator(ctx, id, workflows.OperatorPreview, "")
		if err != nil {
			return err
		}
		return writePreview(o.out, *res.Preview, format)
	case "adopt":
		res, err := o.runOperator(ctx, id, workflows.OperatorAdopt, "")
		if err != nil {
			return err
		}
		if err := writeAdoption(o.out, *res.Adoption, format); err != nil {
			return err
		}
		if !apply {
			fmt.Fprintf(o.out, "\nNothing was written. Review the lists, then run `starter adopt %s --apply`.\n", id)
			return nil
		}
		return o.adoptApply(ctx, id)
	default:
		res, err := o.runOperator(ctx, id, workflows.OperatorExplain, pos[1])
		if err != nil {
			return err
		}
		ex := *res.Explain
		o.addWorkflowHolds(ctx, id, &ex)
		if format == "json" {
			return printJSON(o.out, ex)
		}
		writeExplanation(o.out, ex)
		return nil
	}
}

// onboardingArgs takes --format text|json|csv and --apply anywhere among the
// positional arguments.
func onboardingArgs(args []string) (format string, apply bool, pos []string, err error) {
	format = "text"
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--apply" || a == "-apply":
			apply = true
		case a == "--format" || a == "-format":
			if i+1 >= len(args) {
				return "", false, nil, errors.New("--format needs a value: text, json or csv")
			}
			i++
			format = args[i]
		case strings.HasPrefix(a, "--format=") || strings.HasPrefix(a, "-format="):
			format = a[strings.Index(a, "=")+1:]
		case strings.HasPrefix(a, "-"):
			return "", false, nil, fmt.Errorf("unknown flag %s", a)
		default:
			pos = append(pos, a)
		}
	}
	if format != "text" && format != "json" && format != "csv" {
		return "", false, nil, fmt.Errorf("--format %q: want text, json or csv", format)
	}
	return format, apply, pos, nil
}

// runOperator finds the worker holding the property's plan and runs one
// PropertyOperator command there. When no live worker holds it, it runs
// the sync update (which fetches the plan again) and tries once more.
func (o *operator) runOperator(ctx context.Context, id, command, who string) (workflows.OperatorResult, error) {
	var res workflows.OperatorResult
	for attempt := 0; ; attempt++ {
		loc, err := o.planLocation(ctx, id)
		if err != nil {
			return res, err
		}
		if loc.WorkerQueue != "" {
			run, err := o.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
				ID:        fmt.Sprintf("property-operator-%s-%s-%d", id, command, time.Now().UnixNano()),
				TaskQueue: o.taskQueue,
			}, workflows.PropertyOperatorWorkflowType, workflows.OperatorInput{
				Command: command, PropertyID: id, WorkerQueue: loc.WorkerQueue, Who: who,
			})
			if err != nil {
				return res, err
			}
			if err = run.Get(ctx, &res); err == nil {
				return res, nil
			}
			if attempt > 0 || !planLostError(err) {
				return res, fmt.Errorf("%s %s: %w", command, id, err)
			}
		} else if attempt > 0 {
			return res, fmt.Errorf("property %s has no plan yet: check `starter status %s`", id, id)
		}
		if _, err := o.syncReport(ctx, id); err != nil {
			return res, err
		}
	}
}

// planLostError reports whether a PropertyOperator failed because no live
// worker holds the plan: the worker queue had no poller, or the worker
// restarted and lost it.
func planLostError(err error) bool {
	var te *temporal.TimeoutError
	if errors.As(err, &te) && te.TimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START {
		return true
	}
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.Type() == activities.ErrTypePlanNotCached
}

func (o *operator) planLocation(ctx context.Context, id string) (workflows.PlanLocation, error) {
	var loc workflows.PlanLocation
	v, err := o.c.QueryWorkflow(ctx, workflows.PropertySyncWorkflowID(id), "", workflows.QueryPlanLocation)
	if err != nil {
		return loc, notRunning(id, err)
	}
	return loc, v.Get(&loc)
}

// syncReport runs the sync update on a running PropertySync.
func (o *operator) syncReport(ctx context.Context, id string) (workflows.SyncReport, error) {
	var rep workflows.SyncReport
	h, err := o.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.PropertySyncWorkflowID(id), UpdateName: workflows.UpdateSync,
		Args: []any{workflows.SyncRequest{Reason: "starter onboarding"}}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return rep, notRunning(id, err)
	}
	return rep, h.Get(ctx, &rep)
}

func (o *operator) adoptApply(ctx context.Context, id string) error {
	h, err := o.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.PropertySyncWorkflowID(id), UpdateName: workflows.UpdateAdopt,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return notRunning(id, err)
	}
	var r activities.AdoptionApplyResult
	if err := h.Get(ctx, &r); err != nil {
		return fmt.Errorf("adopt %s: %w", id, err)
	}
	fmt.Fprintf(o.out, "\nAdopted %d users (external id and tag written with PATCH and the custom-field PUT; credentials untouched); skipped %d; ambiguous %d and not in Entrata %d left for review.\n",
		r.Adopted, r.Skipped, r.Ambiguous, r.NotInEntrata)
	for _, s := range r.SkippedSample {
		fmt.Fprintln(o.out, "  skipped:", s)
	}
	return nil
}

// addWorkflowHolds adds what only the PropertySync knows: a paused property,
// preview mode, revocations held by the mass-revocation guard.
func (o *operator) addWorkflowHolds(ctx context.Context, id string, ex *activities.Explanation) {
	v, err := o.c.QueryWorkflow(ctx, workflows.PropertySyncWorkflowID(id), "", workflows.QueryStatus)
	if err != nil {
		return
	}
	var st workflows.Status
	if v.Get(&st) != nil {
		return
	}
	if st.Paused && len(ex.ChangesNow) > 0 {
		ex.Holds = append(ex.Holds, "property paused: the pending changes wait for `starter resume "+id+"`")
	}
	if st.Mode == "preview" && len(ex.ChangesNow) > 0 {
		ex.Holds = append(ex.Holds, "property in preview (mapping mode: preview): nothing is written to Brivo")
	}
	if ex.Unscheduled && st.HeldRevocation > 0 {
		ex.Holds = append(ex.Holds, "the mass-revocation guard holds this revocation ("+st.HoldReason+"): release with `starter approve "+id+"`")
	}
}

func writePreview(w io.Writer, r activities.PreviewReport, format string) error {
	switch format {
	case "json":
		return printJSON(w, r)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"at", "who", "name", "brivoId", "what", "detail", "why"})
		for _, row := range r.Rows {
			id := ""
			if row.BrivoID != 0 {
				id = strconv.FormatInt(row.BrivoID, 10)
			}
			_ = cw.Write([]string{row.At.Format(time.RFC3339), row.Who, row.Name, id, row.What, row.Detail, row.Why})
		}
		cw.Flush()
		return cw.Error()
	}
	fmt.Fprintf(w, "Property %s, mode %s, at %s: %d changes (due now and the next 30 days of transitions)\n",
		r.PropertyID, r.Mode, r.At.Format(time.RFC3339), len(r.Rows))
	for _, k := range sortedKeys(r.Counts) {
		fmt.Fprintf(w, "  %-20s %d\n", k, r.Counts[k])
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nAT\tWHO\tNAME\tWHAT\tDETAIL\tWHY")
	for _, row := range r.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", row.At.Format(time.RFC3339), row.Who, row.Name, row.What, row.Detail, row.Why)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Adoption != nil {
		fmt.Fprintln(w)
		return writeAdoption(w, *r.Adoption, "text")
	}
	return nil
}

func writeAdoption(w io.Writer, r activities.AdoptionReport, format string) error {
	if format == "json" {
		return printJSON(w, r)
	}
	c := r.Counts
	fmt.Fprintf(w, "Adoption proposal for property %s: %d matches (%d by e-mail, %d by name and unit), %d ambiguous, %d not in Entrata\n",
		r.PropertyID, c.Matches, c.ByEmail, c.ByName, c.Ambiguous, c.NotInEntrata)
	for _, m := range r.Matches {
		fmt.Fprintf(w, "  match      Brivo user %d %s-> %s (by %s)\n", m.BrivoID, nameOf(m.Name), m.ExternalID, m.By)
	}
	for _, m := range r.Ambiguous {
		fmt.Fprintf(w, "  ambiguous  Brivo user %d %s(candidates %s): %s\n", m.BrivoID, nameOf(m.Name), strings.Join(m.Candidates, ", "), m.Reason)
	}
	for _, m := range r.NotInEntrata {
		fmt.Fprintf(w, "  not in Entrata  Brivo user %d %s: %s\n", m.BrivoID, nameOf(m.Name), m.Reason)
	}
	return nil
}

func nameOf(n string) string {
	if n == "" {
		return ""
	}
	return "(" + n + ") "
}

func sortedKeys(m map[string]int) []string { return slices.Sorted(maps.Keys(m)) }
