package activities

import "time"

// PreviewHorizon is how far ahead a preview lists transitions.
const PreviewHorizon = 30 * 24 * time.Hour

// OperatorInput names what an operator command asks of the worker that holds
// a property's plan.
type OperatorInput struct {
	PropertyID  string `json:"propertyId"`
	Fingerprint string `json:"fingerprint,omitempty"`
	// Who is an Entrata customer id or a Brivo external id (explain).
	Who string `json:"who,omitempty"`
}

// PreviewRow is one change the sync would make: now (a change to Brivo that
// is due) or later (a transition within PreviewHorizon). Who is the Brivo
// external id; Name is the reduced name ("Dana M."), set only when payloads
// are encrypted.
type PreviewRow struct {
	At      time.Time `json:"at"`
	Who     string    `json:"who"`
	Name    string    `json:"name,omitempty"`
	BrivoID int64     `json:"brivoId,omitempty"`
	What    string    `json:"what"`
	Detail  string    `json:"detail,omitempty"`
	Why     string    `json:"why"`
}

// PreviewReport is the full list a preview prints. It goes to the operator
// through a short-lived PropertyOperator workflow, never into the
// PropertySync history.
type PreviewReport struct {
	PropertyID string         `json:"propertyId"`
	At         time.Time      `json:"at"`
	Mode       string         `json:"mode"`
	Counts     map[string]int `json:"counts"`
	Rows       []PreviewRow   `json:"rows"`
	// Adoption is the adoption proposal at the same instant.
	Adoption *AdoptionReport `json:"adoption,omitempty"`
}

// AdoptionReport is the adoption proposal: hand-made Brivo users matched to
// entitled residents, ambiguous ones, and those not in Entrata.
type AdoptionReport struct {
	PropertyID   string         `json:"propertyId"`
	Matches      []AdoptionRow  `json:"matches"`
	Ambiguous    []AdoptionRow  `json:"ambiguous"`
	NotInEntrata []AdoptionRow  `json:"notInEntrata"`
	Counts       AdoptionCounts `json:"counts"`
}

// AdoptionCounts sums an adoption proposal.
type AdoptionCounts struct {
	Matches      int `json:"matches"`
	ByEmail      int `json:"byEmail"`
	ByName       int `json:"byNameAndUnit"`
	Ambiguous    int `json:"ambiguous"`
	NotInEntrata int `json:"notInEntrata"`
}

// AdoptionRow is one hand-made user in a proposal.
type AdoptionRow struct {
	BrivoID    int64    `json:"brivoId"`
	Name       string   `json:"name,omitempty"` // reduced, only with encrypted payloads
	ExternalID string   `json:"externalId,omitempty"`
	By         string   `json:"by,omitempty"`
	Candidates []string `json:"candidates,omitempty"`
	Reason     string   `json:"reason,omitempty"`
}

// AdoptionApplyResult is what AdoptUsers wrote, in counts and bounded samples
// (it enters the PropertySync history).
type AdoptionApplyResult struct {
	Adopted       int      `json:"adopted"`
	AdoptedSample []string `json:"adoptedSample,omitempty"`
	Skipped       int      `json:"skipped,omitempty"`
	SkippedSample []string `json:"skippedSample,omitempty"`
	Ambiguous     int      `json:"ambiguous"`
	NotInEntrata  int      `json:"notInEntrata"`
}
