package activities

import (
	"sync"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

// An audit that starts at a transition's instant makes the transition first,
// from what the worker believes, before its reads (which, held to the audit
// share, take a minute or more on a large property): the move-out's writes
// come ahead of every audit read, at the transition's purpose.
func TestAuditAtATransitionMakesItBeforeReading(t *testing.T) {
	w := newWorldWithDemo(t, &sandbox.Demo{MoveInAfter: 30 * time.Minute, MoveOutAfter: time.Hour})
	var mu sync.Mutex
	var calls []brivo.Call
	env := w.activities(brivo.WithCallObserver(func(c brivo.Call) {
		mu.Lock()
		calls = append(calls, c)
		mu.Unlock()
	}))
	sum := fetch(t, env, "")
	first := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})
	mu.Lock()
	calls = nil
	mu.Unlock()

	out := w.sb.Demo.MoveOut
	res := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: first.AppliedToken, At: out.At, Audit: true})
	if !res.Audited || res.Revocations != 1 {
		t.Fatalf("audit at the move-out: %+v", res)
	}
	mu.Lock()
	defer mu.Unlock()
	firstRead, firstWrite := -1, -1
	for i, c := range calls {
		if c.Purpose == purposeAuditRead && firstRead < 0 {
			firstRead = i
		}
		if c.Purpose == purposeTransition && c.Method != "GET" && firstWrite < 0 {
			firstWrite = i
		}
	}
	if firstWrite < 0 || firstRead < 0 || firstWrite > firstRead {
		t.Fatalf("first transition write at call %d, first audit read at call %d: the move-out waited for the reads", firstWrite, firstRead)
	}
}

// An apply asked for an instant less than a second ahead (a cycle started
// early, as a workflow timer cannot be shorter than a second) waits for it:
// it never writes early.
func TestApplyWaitsForAnInstantJustAhead(t *testing.T) {
	w := newWorld(t)
	env := w.activities()
	sum := fetch(t, env, "")
	first := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})
	at := time.Now().Add(400 * time.Millisecond)
	apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: first.AppliedToken, At: at})
	if now := time.Now(); now.Before(at) {
		t.Fatalf("the apply for %s returned %s before it", at, at.Sub(now))
	}
}
