package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

// TestPartialFailureOfOneResident: the window assignment after a new
// resident's mobile-pass invitation fails with a 400. That resident gets no
// door groups (a pass with no window must never meet a group), so nobody
// can open anything early; the problem shows in status; and the next apply
// finishes the resident once the fault is gone.
func TestPartialFailureOfOneResident(t *testing.T) {
	needCLI(t)
	// Long poll and audit: only the syncs below reconcile, so each report
	// is the one that met (or did not meet) the fault.
	s := startStack(t, sandbox.Options{Seed: 5, Properties: 1, Units: 12, Now: time.Now()},
		map[string]string{"SYNC_POLL_INTERVAL": "1h", "SYNC_AUDIT_INTERVAL": "1h"})
	if rep := s.discover(); len(rep.Started) != 1 {
		t.Fatalf("discovery %+v", rep)
	}
	s.converged(90 * time.Second)
	id := s.sb.PropertyIDs()[0]

	if err := s.sb.Brivo.SetRecordFault(brivosim.RecordFault{
		Method: "PUT", Path: "/users/*/credentials/*", Status: 400, Next: 1,
	}); err != nil {
		t.Fatal(err)
	}
	ext := addFutureResidents(t, s, id, 1)[0]
	customer := strings.TrimPrefix(ext, access.Prefix)
	from := time.Now()
	rep := s.sync(id)
	if s.sb.Brivo.RecordFaultsLeft() != 0 {
		t.Fatalf("the fault was not hit; report %+v", rep)
	}
	u, ok := s.sb.Brivo.UserByExternalID(ext)
	if !ok || len(u.Groups) != 0 {
		t.Fatalf("%s after the failed window assignment: found=%v groups %v, want no groups", ext, ok, u.Groups)
	}
	if rep.Error != "" || !sampleMentions(rep.ProblemSample, customer) {
		t.Fatalf("sync report %+v: want the resident's failure among the problems", rep)
	}
	st, err := s.status(id)
	if err != nil || !sampleMentions(st.ProblemSample, customer) {
		t.Fatalf("status %+v (%v): want the resident's failure among the problems", st, err)
	}
	now := time.Now()
	if r := s.referee(from, now.Add(time.Second)); r.OverGrant != 0 {
		t.Fatalf("over-grant %s after the partial failure: %v", r.OverGrant, firstPeople(r))
	}

	// The fault is spent: the next apply reads Brivo and finishes them.
	rep = s.sync(id)
	u, _ = s.sb.Brivo.UserByExternalID(ext)
	if rep.Error != "" || len(u.Groups) == 0 || len(u.Credentials) != 1 || u.Credentials[0].EffectiveFrom == nil {
		t.Fatalf("next apply: report %+v, user groups %v credentials %+v", rep, u.Groups, u.Credentials)
	}
	if sampleMentions(rep.ProblemSample, customer) {
		t.Fatalf("the resident is still a problem after the fault cleared: %v", rep.ProblemSample)
	}
	now = time.Now()
	if r := s.referee(from, now.Add(time.Second)); r.OverGrant != 0 || r.UnderGrant != 0 {
		t.Fatalf("after the fault cleared: over %s under %s: %v", r.OverGrant, r.UnderGrant, firstPeople(r))
	}
	t.Logf("%s: no groups while its pass had no window; finished by the next apply (%s)", ext,
		fmt.Sprint(u.Credentials[0].EffectiveFrom))
}

func sampleMentions(sample []string, customerID string) bool {
	for _, p := range sample {
		if strings.Contains(p, "customer "+customerID+":") {
			return true
		}
	}
	return false
}
