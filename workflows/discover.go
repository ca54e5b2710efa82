package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/entrata-brivo/entrata-brivo/activities"
)

// DiscoverInput is DiscoverProperties' input; it needs nothing today and is a
// struct so that it can grow without breaking the schedule.
type DiscoverInput struct{}

// DiscoverReport is what a discovery sweep found and did.
type DiscoverReport struct {
	Mapped   []string `json:"mapped"`
	Started  []string `json:"started,omitempty"`
	Running  []string `json:"running,omitempty"`
	Unmapped []string `json:"unmapped,omitempty"`
	Missing  []string `json:"missing,omitempty"`
	Disabled []string `json:"disabled,omitempty"`
}

// DiscoverProperties lists the properties the Entrata API user can see,
// keeps those in ENTRATA_PROPERTY_IDS and the mapping file, and makes sure a
// PropertySync runs for each. It never stops a property or revokes anyone
// because the property is missing from one listing: it reports it.
func DiscoverProperties(ctx workflow.Context, _ DiscoverInput) (DiscoverReport, error) {
	log := workflow.GetLogger(ctx)
	listCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:           EntrataTaskQueue(workflow.GetInfo(ctx).TaskQueueName),
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 2 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: time.Minute, MaximumAttempts: 5,
		},
	})
	var found activities.DiscoveryResult
	if err := workflow.ExecuteActivity(listCtx, a.ListProperties).Get(ctx, &found); err != nil {
		return DiscoverReport{}, err
	}
	report := DiscoverReport{Mapped: found.Mapped, Unmapped: found.Unmapped, Missing: found.Missing, Disabled: found.Disabled}
	if len(found.Unmapped) > 0 {
		log.Warn("Entrata properties without a mapping are not synced", "Unmapped", found.Unmapped)
	}
	if len(found.Missing) > 0 {
		log.Warn("Mapped properties missing from this Entrata listing; their syncs keep running", "Missing", found.Missing)
	}

	ensureCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		HeartbeatTimeout:    30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: 30 * time.Second, MaximumAttempts: 5,
		},
	})
	// Missing properties are ensured too: a property absent from one listing
	// keeps its sync (and its residents their access).
	ids := append(append([]string{}, found.Mapped...), found.Missing...)
	var ens activities.EnsureResult
	if err := workflow.ExecuteActivity(ensureCtx, a.EnsurePropertySyncs, activities.EnsureInput{PropertyIDs: ids}).Get(ctx, &ens); err != nil {
		return report, err
	}
	report.Started, report.Running = ens.Started, ens.Running
	log.Info("Discovery done", "Mapped", len(found.Mapped), "Started", len(ens.Started), "Running", len(ens.Running))
	return report, nil
}
