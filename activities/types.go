package activities

import "time"

// FetchPlanInput asks for a property's Entrata data to be read and planned.
type FetchPlanInput struct {
	PropertyID string `json:"propertyId"`
	// KnownFingerprint is the plan the workflow already holds. When Entrata
	// has not changed, the result says so and carries nothing else, so a
	// steady-state cycle adds a constant, tiny amount of history.
	KnownFingerprint string `json:"knownFingerprint,omitempty"`
	// HolderQueue is the queue of the worker that applied last; the result
	// says whether a worker still polls it (HolderAlive).
	HolderQueue string `json:"holderQueue,omitempty"`
}

// PlanSummary is the compact result of FetchPlan. The full plan (every
// resident's entitlement) stays in the worker's memory, on WorkerQueue, and
// never enters workflow history.
type PlanSummary struct {
	Fingerprint string `json:"fingerprint"`
	// WorkerQueue is the task queue of the worker process holding the plan.
	WorkerQueue string `json:"workerQueue"`
	// HolderAlive: a worker polled the input's HolderQueue within the last
	// minute (so it is there to apply the plan it holds).
	HolderAlive bool `json:"holderAlive,omitempty"`
	// Changed is false when Fingerprint equals the input's KnownFingerprint;
	// the fields below are then left empty.
	Changed       bool         `json:"changed,omitempty"`
	Entitled      int          `json:"entitled,omitempty"`
	Problems      int          `json:"problems,omitempty"`
	ProblemSample []string     `json:"problemSample,omitempty"`
	UnmappedUnits []string     `json:"unmappedUnits,omitempty"`
	Next          []Transition `json:"next,omitempty"`

	// WithoutMobilePass counts residents with access now or later and no
	// e-mail: they get a user and groups but no credential (issue a fob).
	WithoutMobilePass int `json:"withoutMobilePass,omitempty"`
}

// Transition is one upcoming change of someone's access. Who is the Brivo
// external id (entrata-<customerId>); Name is reduced to what an operator
// needs to recognise the resident (first name and last initial), and is set
// only when SYNC_PAYLOAD_KEY encrypts history.
type Transition struct {
	At      time.Time `json:"at"`
	Who     string    `json:"who"`
	Name    string    `json:"name,omitempty"`
	Kind    string    `json:"kind"`
	GroupID int64     `json:"groupId,omitempty"`
}

// ApplyInput asks for the changes due at At to be applied to Brivo.
type ApplyInput struct {
	PropertyID  string    `json:"propertyId"`
	Fingerprint string    `json:"fingerprint"`
	At          time.Time `json:"at"`
	// AppliedToken identifies the Brivo state the workflow last applied.
	// When the worker still holds that state in memory, no resident is read
	// from Brivo; otherwise, or when Audit is set, the activity reads the
	// records we own from Brivo first.
	AppliedToken string `json:"appliedToken,omitempty"`
	Audit        bool   `json:"audit,omitempty"`
	// AllowUnscheduledRevocations releases what the mass-revocation guard
	// held (set after approve-revocations).
	AllowUnscheduledRevocations bool `json:"allowUnscheduledRevocations,omitempty"`
}

// ApplyResult reports what an apply did, in counts and a bounded sample.
type ApplyResult struct {
	AppliedToken  string         `json:"appliedToken"`
	Audited       bool           `json:"audited,omitempty"`
	Changes       map[string]int `json:"changes,omitempty"` // by change kind
	Grants        int            `json:"grants,omitempty"`
	Revocations   int            `json:"revocations,omitempty"`
	Problems      int            `json:"problems,omitempty"`
	ProblemSample []string       `json:"problemSample,omitempty"`
	Held          int            `json:"held,omitempty"` // unscheduled revocations held by the guard
	// Unlisted counts residents an audit did not find under the property
	// tag (a blind audit); they are found by external id and the tag is
	// repaired.
	Unlisted   int    `json:"unlisted,omitempty"`
	HoldReason string `json:"holdReason,omitempty"`
	// Preview is set when the property's mapping says mode: preview:
	// Changes counts what would be written; nothing was.
	Preview bool         `json:"preview,omitempty"`
	Active  int          `json:"active"` // residents with access now
	Next    []Transition `json:"next,omitempty"`
}

// DiscoveryResult is what ListProperties found.
type DiscoveryResult struct {
	Mapped   []string `json:"mapped"`
	Unmapped []string `json:"unmapped,omitempty"` // visible in Entrata, absent from the mapping file
	Missing  []string `json:"missing,omitempty"`  // in the mapping file, absent from this listing
	Disabled []string `json:"disabled,omitempty"`
}

// EnsureInput names the properties whose PropertySync must be running.
type EnsureInput struct {
	PropertyIDs []string `json:"propertyIds"`
}

// EnsureResult says which PropertySync workflows were started anew.
type EnsureResult struct {
	Started []string `json:"started,omitempty"`
	Running []string `json:"running,omitempty"`
}

// MaxSample bounds every list that goes into history, whatever the number of
// residents.
const MaxSample = 10
