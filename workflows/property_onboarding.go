package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/entrata-brivo/entrata-brivo/activities"
)

// Names of the onboarding commands (connecting a property that already uses
// Brivo): see docs/onboarding.md.
const (
	// UpdateAdopt takes over the hand-made Brivo users the adoption
	// proposal matches (AdoptUsers on the worker holding the plan).
	UpdateAdopt = "adopt"
	// QueryPlanLocation says which worker queue holds the property's plan,
	// so the starter can run a PropertyOperator workflow against it.
	QueryPlanLocation = "plan-location"
)

// PlanLocation is the answer of the plan-location query.
type PlanLocation struct {
	PropertyID  string `json:"propertyId"`
	WorkerQueue string `json:"workerQueue,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// registerOnboardingHandlers wires the adopt update and the plan-location
// query. Neither changes the loop's commands, so recorded histories replay.
func (s *syncer) registerOnboardingHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryPlanLocation, func() (PlanLocation, error) {
		return PlanLocation{PropertyID: s.propertyID, WorkerQueue: s.st.WorkerQueue, Fingerprint: s.st.Fingerprint}, nil
	}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateAdopt,
		func(ctx workflow.Context) (activities.AdoptionApplyResult, error) {
			var res activities.AdoptionApplyResult
			err := workflow.ExecuteActivity(operatorActivityOptions(ctx, s.st.WorkerQueue), a.AdoptUsers,
				activities.OperatorInput{PropertyID: s.propertyID, Fingerprint: s.st.Fingerprint}).Get(ctx, &res)
			if err != nil {
				if planLost(err) {
					// The next cycle fetches on a live worker.
					s.st.WorkerQueue, s.st.AppliedToken = "", ""
					s.st.SyncRequested = true
					return res, temporal.NewApplicationError("no live worker holds the plan of property "+s.propertyID+
						" yet; it is being fetched again: retry adopt in a minute", "PlanNotCached")
				}
				return res, err
			}
			// Brivo changed behind the plan: the next apply reads it first.
			s.st.AppliedToken = ""
			s.st.SyncRequested = true
			s.log.Info("Adopted hand-made Brivo users", "PropertyID", s.propertyID, "Adopted", res.Adopted,
				"Skipped", res.Skipped, "Ambiguous", res.Ambiguous, "NotInEntrata", res.NotInEntrata)
			return res, nil
		}, workflow.UpdateHandlerOptions{
			Description: "Adopt the hand-made Brivo users matched to entitled residents (PATCH externalId, tag)",
			Validator: func(ctx workflow.Context) error {
				if s.st.WorkerQueue == "" || s.st.Fingerprint == "" {
					return errors.New("property " + s.propertyID + " has no plan yet: run `starter sync " + s.propertyID + "` first")
				}
				return nil
			},
		})
}

// operatorActivityOptions runs an operator's activity on the worker holding
// the plan; like ApplyPlan it gives up quickly when that worker is gone.
func operatorActivityOptions(ctx workflow.Context, queue string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              queue,
		ScheduleToStartTimeout: 30 * time.Second,
		StartToCloseTimeout:    10 * time.Minute,
		HeartbeatTimeout:       30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        30 * time.Second,
			MaximumAttempts:        5,
			NonRetryableErrorTypes: []string{activities.ErrTypePlanNotCached},
		},
	})
}
