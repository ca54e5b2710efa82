package activities

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// addMoveIns adds n residents moving in in 10 days and returns their
// external ids.
func addMoveIns(t *testing.T, w *world, n int) []string {
	t.Helper()
	moveIn := entrata.DateOf(time.Now().AddDate(0, 0, 10))
	var ids []string
	for i := range n {
		cid := fmt.Sprint(6600000 + i)
		if err := w.sb.Entrata.UpsertLease("100", entrata.Lease{
			ID: fmt.Sprint(660000 + i), PropertyID: "100", Status: entrata.LeaseFuture,
			UnitID: w.sb.Entrata.Portfolio().Properties[0].Units[i].ID, MoveInDate: moveIn,
			Customers: []entrata.Customer{{ID: cid, Type: "Primary", Status: "Future", FirstName: "P", LastName: "F",
				Email: fmt.Sprintf("p%d@example.com", i), MoveInDate: moveIn}},
		}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, access.ExternalID(cid))
	}
	return ids
}

// When the window assignment after a mobile-pass invitation fails with a
// 4xx, that resident's remaining changes (door groups, ...) are skipped and
// reported, the others go on, and the applied state is dropped so the next
// apply reads Brivo and finishes the resident.
func TestPartialFailureSkipsTheRestOfThatResident(t *testing.T) {
	w := newWorld(t)
	r := w.activities()
	sum := fetch(t, r, "")
	first := apply(t, r, ApplyInput{Fingerprint: sum.Fingerprint})
	ids := addMoveIns(t, w, 3)
	sum2 := fetch(t, r, sum.Fingerprint)

	if err := w.sb.Brivo.SetRecordFault(brivosim.RecordFault{
		Method: "PUT", Path: "/users/*/credentials/*", Status: 400, Next: 1,
	}); err != nil {
		t.Fatal(err)
	}
	res := apply(t, r, ApplyInput{Fingerprint: sum2.Fingerprint, AppliedToken: first.AppliedToken})
	if w.sb.Brivo.RecordFaultsLeft() != 0 {
		t.Fatal("the fault was never hit: nothing was tested")
	}
	failed := ids[0] // changes run by externalId: the first invitation meets the fault
	u, ok := w.sb.Brivo.UserByExternalID(failed)
	if !ok || len(u.Credentials) != 1 || !u.Credentials[0].Mobile {
		t.Fatalf("%s: found=%v %+v, want the user with its (unwindowed) mobile pass", failed, ok, u)
	}
	if len(u.Groups) != 0 {
		t.Fatalf("%s got door groups %v although its pass has no window", failed, u.Groups)
	}
	for _, ext := range ids[1:] {
		if o, _ := w.sb.Brivo.UserByExternalID(ext); len(o.Groups) == 0 || len(o.Credentials) != 1 ||
			o.Credentials[0].EffectiveFrom == nil {
			t.Errorf("%s was not granted after another resident failed: %+v", ext, o)
		}
	}
	if res.AppliedToken != "" {
		t.Error("the apply kept its applied token: the next one would trust a state it does not know")
	}
	if res.Grants != len(ids)-1 || !mentions(res.ProblemSample, strings.TrimPrefix(failed, access.Prefix), "skipped") {
		t.Fatalf("grants %d, problems %v: want %d grants and the failure and skipped changes reported",
			res.Grants, res.ProblemSample, len(ids)-1)
	}

	// The fault is gone: the next apply reads Brivo and finishes the resident.
	again := apply(t, r, ApplyInput{Fingerprint: sum2.Fingerprint, AppliedToken: res.AppliedToken})
	u, _ = w.sb.Brivo.UserByExternalID(failed)
	if !again.Audited || len(u.Groups) == 0 || len(u.Credentials) != 1 || u.Credentials[0].EffectiveFrom == nil ||
		again.AppliedToken == "" {
		t.Fatalf("after the fault cleared: %+v, user %+v", again, u)
	}
	w.refereeClean()
}

func mentions(sample []string, words ...string) bool {
	for _, s := range sample {
		all := true
		for _, w := range words {
			all = all && strings.Contains(s, w)
		}
		if all {
			return true
		}
	}
	return false
}
