package workflows

import (
	"context"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/entrata-brivo/entrata-brivo/activities"
)

// A property missing from one Entrata listing keeps its sync: discovery
// ensures it like the others and reports it, never stops it.
func TestDiscoverEnsuresMappedAndMissingAndReportsUnmapped(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(DiscoverProperties)
	env.OnActivity(a.ListProperties, mock.Anything).Return(activities.DiscoveryResult{
		Mapped: []string{"100", "101"}, Unmapped: []string{"555"}, Missing: []string{"102"},
	}, nil)
	var ensured []string
	env.OnActivity(a.EnsurePropertySyncs, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EnsureInput) (activities.EnsureResult, error) {
			ensured = in.PropertyIDs
			return activities.EnsureResult{Started: []string{"101"}, Running: []string{"100", "102"}}, nil
		})
	env.ExecuteWorkflow(DiscoverProperties, DiscoverInput{})
	var rep DiscoverReport
	if err := env.GetWorkflowResult(&rep); err != nil {
		t.Fatal(err)
	}
	if len(ensured) != 3 || ensured[2] != "102" {
		t.Fatalf("ensured %v, want the mapped ones and the missing one", ensured)
	}
	if len(rep.Unmapped) != 1 || rep.Unmapped[0] != "555" || len(rep.Missing) != 1 || len(rep.Started) != 1 {
		t.Fatalf("report %+v", rep)
	}
}
