// Package workflows holds the durable Temporal workflows of entrata-brivo:
// PropertySync, one long-lived entity workflow per Entrata property that keeps
// Brivo access in step with the property's leases, and DiscoverProperties, the
// short sweep that a Temporal Schedule runs to make sure every mapped property
// has its PropertySync.
//
// The names below are the product's outside contract (shared/contract.md):
// operators type them into the temporal CLI and the Web UI.
package workflows

import "go.temporal.io/sdk/temporal"

// Temporal names fixed by the contract.
const (
	// DefaultTaskQueue is the task queue of workflows and Brivo-side activities.
	DefaultTaskQueue = "entrata-brivo"

	PropertySyncWorkflowType       = "PropertySync"
	DiscoverPropertiesWorkflowType = "DiscoverProperties"
	DiscoveryScheduleID            = "entrata-brivo-discovery"

	SignalSyncNow = "sync-now"
	SignalPause   = "pause"
	SignalResume  = "resume"

	UpdateSync               = "sync"
	UpdateApproveRevocations = "approve-revocations"

	QueryStatus   = "status"
	QueryUpcoming = "upcoming"
)

// SyncState values of the SyncState search attribute.
const (
	StateOK      = "ok"
	StatePaused  = "paused"
	StateHeld    = "held"
	StateFailing = "failing"
)

// Search attributes the workflows maintain; both are Keyword.
var (
	SearchAttrPropertyID = temporal.NewSearchAttributeKeyKeyword("EntrataPropertyId")
	SearchAttrSyncState  = temporal.NewSearchAttributeKeyKeyword("SyncState")
)

// PropertySyncWorkflowID is the workflow id of a property's PropertySync.
func PropertySyncWorkflowID(propertyID string) string {
	return "property-sync-" + propertyID
}

// EntrataTaskQueue is the task queue whose activity rate the Temporal server
// limits to the shared Entrata budget. Every Entrata call runs on it, so the
// budget holds across all workers.
func EntrataTaskQueue(main string) string { return main + "-entrata" }
