package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/entrata-brivo/entrata-brivo/activities"
)

// PropertyOperatorWorkflowType is the short-lived workflow the starter runs
// for preview, adopt (the proposal) and explain. Their answers can list
// every resident; they live in this workflow's own history, which ends with
// it, and never in the long-lived PropertySync's.
const PropertyOperatorWorkflowType = "PropertyOperator"

// Operator commands.
const (
	OperatorPreview = "preview"
	OperatorAdopt   = "adopt-proposal"
	OperatorExplain = "explain"
)

// OperatorInput is PropertyOperator's input. WorkerQueue comes from the
// PropertySync's plan-location query.
type OperatorInput struct {
	Command     string `json:"command"`
	PropertyID  string `json:"propertyId"`
	WorkerQueue string `json:"workerQueue"`
	Who         string `json:"who,omitempty"`
}

// OperatorResult carries the answer of one command.
type OperatorResult struct {
	Preview  *activities.PreviewReport  `json:"preview,omitempty"`
	Adoption *activities.AdoptionReport `json:"adoption,omitempty"`
	Explain  *activities.Explanation    `json:"explain,omitempty"`
}

// PropertyOperator runs one read-only operator command on the worker that
// holds the property's plan and returns its answer.
func PropertyOperator(ctx workflow.Context, in OperatorInput) (OperatorResult, error) {
	var out OperatorResult
	if in.PropertyID == "" || in.WorkerQueue == "" {
		return out, temporal.NewNonRetryableApplicationError("PropertyOperator: propertyId and workerQueue are required", "BadInput", nil)
	}
	actx := operatorActivityOptions(ctx, in.WorkerQueue)
	ain := activities.OperatorInput{PropertyID: in.PropertyID, Who: in.Who}
	switch in.Command {
	case OperatorPreview:
		out.Preview = &activities.PreviewReport{}
		return out, workflow.ExecuteActivity(actx, a.PreviewChanges, ain).Get(ctx, out.Preview)
	case OperatorAdopt:
		out.Adoption = &activities.AdoptionReport{}
		return out, workflow.ExecuteActivity(actx, a.ProposeAdoption, ain).Get(ctx, out.Adoption)
	case OperatorExplain:
		out.Explain = &activities.Explanation{}
		return out, workflow.ExecuteActivity(actx, a.Explain, ain).Get(ctx, out.Explain)
	}
	return out, temporal.NewNonRetryableApplicationError("PropertyOperator: unknown command "+in.Command, "BadInput", errors.New(in.Command))
}
