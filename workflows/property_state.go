package workflows

import (
	"time"

	"github.com/entrata-brivo/entrata-brivo/activities"
)

// PropertySyncInput is PropertySync's single JSON input. Operators start it
// with just {"propertyId":"100"}; Carried is filled in on continue-as-new.
type PropertySyncInput struct {
	PropertyID string        `json:"propertyId"`
	Carried    *CarriedState `json:"carried,omitempty"`
}

// CarriedState is everything a PropertySync run hands to the next one. It is
// small and bounded: fingerprints, tokens, timestamps, counts and bounded
// samples; never the lease list.
type CarriedState struct {
	Fingerprint  string `json:"fingerprint,omitempty"`
	WorkerQueue  string `json:"workerQueue,omitempty"`
	AppliedToken string `json:"appliedToken,omitempty"`

	LastFetch   time.Time `json:"lastFetch,omitempty"`
	LastApply   time.Time `json:"lastApply,omitempty"`
	LastAudit   time.Time `json:"lastAudit,omitempty"`
	LastSuccess time.Time `json:"lastSuccess,omitempty"`
	LastError   string    `json:"lastError,omitempty"`
	Failures    int       `json:"failures,omitempty"`

	Next []Transition `json:"next,omitempty"`

	Paused        bool   `json:"paused,omitempty"`
	ApplyPending  bool   `json:"applyPending,omitempty"` // a due apply was skipped (paused) or failed
	SyncRequested bool   `json:"syncRequested,omitempty"`
	ApproveNext   bool   `json:"approveNext,omitempty"`
	Held          int    `json:"held,omitempty"`
	HoldReason    string `json:"holdReason,omitempty"`

	Entitled      int      `json:"entitled,omitempty"`
	Active        int      `json:"active,omitempty"`
	Problems      int      `json:"problems,omitempty"`
	ProblemSample []string `json:"problemSample,omitempty"`
	UnmappedUnits []string `json:"unmappedUnits,omitempty"`
	// Unlisted residents the last audit did not find under the property
	// tag (a blind audit; the tag is repaired).
	Unlisted int `json:"unlisted,omitempty"`

	// WithoutMobilePass counts residents with no e-mail, hence no pass.
	WithoutMobilePass int `json:"withoutMobilePass,omitempty"`

	Runs int `json:"runs,omitempty"` // continue-as-new count, for operators

	// Preview is set while the property's mapping says mode: preview;
	// PreviewChanges counts by kind what the last apply would have written.
	Preview        bool           `json:"preview,omitempty"`
	PreviewChanges map[string]int `json:"previewChanges,omitempty"`
}

// SyncRequest is the optional argument of the sync update and the sync-now
// signal.
type SyncRequest struct {
	Reason string `json:"reason,omitempty"`
}

// SyncReport is the result of the sync update: what the reconcile did.
type SyncReport struct {
	PropertyID     string         `json:"propertyId"`
	At             time.Time      `json:"at"`
	Fetched        bool           `json:"fetched"`
	EntrataChanged bool           `json:"entrataChanged"`
	Applied        bool           `json:"applied"`
	Audited        bool           `json:"audited,omitempty"`
	Changes        map[string]int `json:"changes,omitempty"`
	Grants         int            `json:"grants"`
	Revocations    int            `json:"revocations"`
	Problems       int            `json:"problems"`
	ProblemSample  []string       `json:"problemSample,omitempty"`
	Held           int            `json:"held,omitempty"`
	// Preview: Changes are what would have been written; nothing was.
	Preview        bool       `json:"preview,omitempty"`
	Paused         bool       `json:"paused,omitempty"`
	NextTransition *time.Time `json:"nextTransition,omitempty"`
	Error          string     `json:"error,omitempty"`
}

// Status is the answer of the status query.
type Status struct {
	PropertyID    string     `json:"propertyId"`
	State         string     `json:"state"` // ok, paused, held, failing
	LastSuccess   *time.Time `json:"lastSuccessfulSync,omitempty"`
	LastFetch     *time.Time `json:"lastFetch,omitempty"`
	LastAudit     *time.Time `json:"lastAudit,omitempty"`
	Entitled      int        `json:"entitled"`
	Granted       int        `json:"granted"`
	Problems      int        `json:"problems"`
	ProblemSample []string   `json:"problemSample,omitempty"`
	UnmappedUnits []string   `json:"unmappedUnits,omitempty"`
	// AuditUnlisted counts residents the last audit did not find under the
	// "Entrata Property" tag: the audit was partly blind; they were found
	// by external id and their tag repaired.
	AuditUnlisted  int        `json:"auditUnlisted,omitempty"`
	Paused         bool       `json:"paused"`
	HeldRevocation int        `json:"heldRevocations"`
	HoldReason     string     `json:"holdReason,omitempty"`
	LastError      string     `json:"lastError,omitempty"`
	NextTransition *time.Time `json:"nextTransition,omitempty"`
	NextWake       *time.Time `json:"nextWake,omitempty"`
	Run            int        `json:"run"`

	// WithoutMobilePass counts residents with access and no e-mail, so no
	// mobile pass: the manager should issue them a fob.
	WithoutMobilePass int `json:"withoutMobilePass"`

	// Mode is "preview" while the property writes nothing to Brivo (its
	// mapping says mode: preview); PreviewChanges then counts by kind the
	// changes it would make now. `starter preview` lists them.
	Mode           string         `json:"mode,omitempty"`
	PreviewChanges map[string]int `json:"previewChanges,omitempty"`
}

// ApproveReport is the result of the approve-revocations update.
type ApproveReport struct {
	Released    int    `json:"released"`
	StillHeld   int    `json:"stillHeld"`
	Revocations int    `json:"revocations"`
	Error       string `json:"error,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *CarriedState) state() string {
	switch {
	case s.Paused:
		return StatePaused
	case s.Held > 0:
		return StateHeld
	case s.LastError != "":
		return StateFailing
	}
	return StateOK
}

// due returns the transitions at or before now.
func (s *CarriedState) due(now time.Time) []Transition {
	i := 0
	for i < len(s.Next) && !s.Next[i].At.After(now) {
		i++
	}
	return s.Next[:i]
}

// dropPast removes transitions at or before now.
func (s *CarriedState) dropPast(now time.Time) {
	i := 0
	for i < len(s.Next) && !s.Next[i].At.After(now) {
		i++
	}
	s.Next = s.Next[i:]
}

// Transition is an upcoming access change, as the upcoming query shows it.
type Transition = activities.Transition
