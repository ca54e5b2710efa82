// Package activities holds the Temporal activities of entrata-brivo: the only
// code that talks to Entrata, Brivo and the Temporal client. They are methods
// on Activities, which holds the two API clients and the configuration;
// workflow code names them through a nil *Activities.
//
// The full plan of a property (every resident's entitlement) and what the
// worker believes it has applied to Brivo stay in this worker's memory, keyed
// by property. Workflow history carries only fingerprints, tokens and counts,
// so it stays small whatever the number of residents. When the memory is gone
// (a restart, another worker), ApplyPlan reads Brivo first: correctness never
// depends on the cache, only the number of Brivo reads does.
package activities

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// Config is what the activities need from the worker's configuration.
type Config struct {
	TaskQueue        string
	Namespace        string
	PropertyIDs      []string // ENTRATA_PROPERTY_IDS allow-list; empty = all
	PollInterval     time.Duration
	AuditInterval    time.Duration
	PastHorizon      time.Duration // how far back Past leases are read (moveOutDateFrom)
	Guard            access.GuardOptions
	InviteMobilePass bool
	CustomFieldName  string // Brivo custom field holding the Entrata property id
	// NamesInHistory lets transitions carry a reduced name ("Dana M.") for
	// the upcoming query. The worker sets it only when payloads are
	// encrypted (SYNC_PAYLOAD_KEY), so no name sits in history in clear.
	NamesInHistory bool
}

// Recorder receives the product's metrics. *metrics.Metrics implements it.
type Recorder interface {
	Grants(propertyID string, n int)
	Revocations(propertyID string, n int)
	Problems(propertyID string, n int)
	HeldRevocations(propertyID string, n int)
	UnmappedUnits(propertyID string, n int)
	UnlistedUsers(propertyID string, n int)
	SyncSucceeded(propertyID string, at time.Time)
	AuditCompleted(propertyID string, started time.Time)
}

// Deps are the dependencies of every activity.
type Deps struct {
	Entrata  *entrata.Client
	Brivo    *brivo.Client
	Mapping  *access.Mapping
	Temporal client.Client // for EnsurePropertySyncs
	Config   Config
	Metrics  Recorder
	Logger   *slog.Logger

	// WorkerQueue is the task queue only this process polls; ApplyPlan runs
	// there so that it finds the plan FetchPlan left in memory.
	WorkerQueue string
}

// Activities holds the dependencies and this worker's memory of each
// property.
type Activities struct {
	Deps

	mu         sync.Mutex
	properties map[string]*propertyMemory
	groups     groupDirectory
	fieldID    int64
	now        func() time.Time
}

// propertyMemory is what this worker remembers of one property.
type propertyMemory struct {
	mu       sync.Mutex // serialises applies of one property
	plan     *plan
	believed *believedState
	// ineffective are writes Brivo answered but did not keep (read back
	// different), keyed by changeKey: they are reported, not re-sent,
	// until what we want to write changes.
	ineffective map[string]bool
	// clashWarned is set once the unit-number clash warning was logged.
	clashWarned bool
	// sharedCache holds cross-property answers (see sharedFor), keyed by
	// external id and tag value.
	sharedCache map[string]sharedAnswer
}

type plan struct {
	fingerprint string
	result      access.Result
	fetchedAt   time.Time
	// leases are Entrata's answer, kept for the explain command.
	leases []entrata.Lease
	// confirmedGone are our Brivo users whose customer Entrata confirmed
	// no longer exists: only these may be deleted.
	confirmedGone map[string]bool
}

// believedState is what this worker applied to Brivo last, and the token the
// workflow holds for it.
type believedState struct {
	token string
	users []access.ObservedUser
}

// New returns Activities with a fresh worker queue name derived from the main
// task queue.
func New(d Deps) *Activities {
	out := &Activities{Deps: d}
	if out.Config.CustomFieldName == "" {
		out.Config.CustomFieldName = "Entrata Property"
	}
	if out.Config.PastHorizon == 0 {
		out.Config.PastHorizon = 30 * 24 * time.Hour
	}
	if out.Metrics == nil {
		out.Metrics = nopRecorder{}
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	if out.WorkerQueue == "" {
		out.WorkerQueue = WorkerQueueName(out.Config.TaskQueue)
	}
	out.properties = map[string]*propertyMemory{}
	out.now = time.Now
	return out
}

// WorkerQueueName returns a task queue name unique to this process. Its
// length does not depend on the pid, so history sizes compare across runs.
func WorkerQueueName(main string) string {
	host, _ := os.Hostname()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-worker-%s-%07d-%s", main, host, os.Getpid(), hex.EncodeToString(b))
}

func (a *Activities) memory(propertyID string) *propertyMemory {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.properties[propertyID]
	if m == nil {
		m = &propertyMemory{}
		a.properties[propertyID] = m
	}
	return m
}

// Settings is the worker configuration a workflow needs to plan its timers.
type Settings struct {
	PollInterval  time.Duration `json:"pollInterval"`
	AuditInterval time.Duration `json:"auditInterval"`
}

// Settings returns the poll and audit intervals. It runs as a local activity
// at the start of each PropertySync run, so operators change them with the
// worker's environment, not by restarting workflows.
func (a *Activities) Settings(_ context.Context) (Settings, error) {
	return Settings{PollInterval: a.Config.PollInterval, AuditInterval: a.Config.AuditInterval}, nil
}

type nopRecorder struct{}

func (nopRecorder) Grants(string, int)               {}
func (nopRecorder) Revocations(string, int)          {}
func (nopRecorder) Problems(string, int)             {}
func (nopRecorder) HeldRevocations(string, int)      {}
func (nopRecorder) UnmappedUnits(string, int)        {}
func (nopRecorder) UnlistedUsers(string, int)        {}
func (nopRecorder) SyncSucceeded(string, time.Time)  {}
func (nopRecorder) AuditCompleted(string, time.Time) {}

// callTimesFields are the log fields that say where an apply's or a
// step's Brivo calls spent their time.
func callTimesFields(ct *brivo.CallTimes) []any {
	s := ct.Summary()
	return []any{"BrivoCalls", s.Calls, "BrivoWaited", s.Waited, "BrivoInFlight", s.InFlight,
		"LongestWait", s.LongestWait, "RateThen", s.RateThen}
}
