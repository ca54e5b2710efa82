package activities

import (
	"sync"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
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

// A worker that believes nothing of the property (the plan moved to it, or
// it restarted) reads every record first. A transition falling due during
// that read, or already due when it starts, is made at once from a read of
// the transitioning people alone: it does not wait for the whole read.
func TestTransitionWithoutBeliefIsNotLateBehindTheRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		// applyAt is when the apply is asked for, after the move-out.
		applyAt time.Duration
	}{
		{"due during the read", 0},
		{"due when the read starts", 1500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorldWithDemo(t, &sandbox.Demo{MoveInAfter: time.Hour, MoveOutAfter: 3 * time.Second})
			out := w.sb.Demo.MoveOut
			// The first worker syncs the property.
			first := w.activities()
			sum := fetch(t, first, "")
			applied := apply(t, first, ApplyInput{Fingerprint: sum.Fingerprint})
			if u, ok := w.sb.Brivo.UserByExternalID(out.ExternalID); !ok || u.Suspended {
				t.Fatalf("before the move-out, the resident moving out is %+v (found %v)", u, ok)
			}

			// A second worker takes the plan, knowing nothing of Brivo.
			var mu sync.Mutex
			var suspendedAt, lastReadAt time.Time
			second := w.activities(brivo.WithCallObserver(func(c brivo.Call) {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case c.Method != "GET" && suspendedAt.IsZero(): // the one write: the move-out
					suspendedAt = time.Now()
				case c.Purpose == purposeAuditRead || c.Purpose == purposeInitialRead:
					lastReadAt = time.Now()
				}
			}))
			sum2 := fetch(t, second, "")
			if sum2.Fingerprint != sum.Fingerprint {
				t.Fatalf("the second worker planned %s, the first %s", sum2.Fingerprint, sum.Fingerprint)
			}
			// Its read of the property's users is slow (each of the two
			// user lists takes 3 s); reads of one person are not.
			w.sb.Brivo.SetFault("/v1/api/users", brivosim.Fault{Latency: 3 * time.Second})
			w.sb.Brivo.SetFault("/v1/api/users/", brivosim.Fault{})
			if tc.applyAt > 0 {
				time.Sleep(time.Until(out.At.Add(tc.applyAt)))
			}
			res := apply(t, second, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: applied.AppliedToken})
			if !res.Audited || res.Revocations != 1 {
				t.Fatalf("apply without belief: %+v", res)
			}
			if u, _ := w.sb.Brivo.UserByExternalID(out.ExternalID); !u.Suspended {
				t.Fatal("the resident who moved out is not suspended")
			}
			mu.Lock()
			defer mu.Unlock()
			if !suspendedAt.Before(lastReadAt) {
				t.Fatalf("the move-out was written %s after the read ended: it waited for the read",
					suspendedAt.Sub(lastReadAt))
			}
			due := out.At.Add(tc.applyAt) // the move-out, or the apply if later
			if late := suspendedAt.Sub(due); late > time.Second {
				t.Fatalf("the move-out was written %s after it was due", late)
			}
		})
	}
}

// The read of a worker that lost what the workflow applied is not the
// periodic audit: the property's applies wait for it, so it is bulk work,
// not held to the audit share. With the audit share at 1 read a second,
// reading the property's users at it would take a second per user.
func TestReadingAgainIsNotHeldToTheAuditShare(t *testing.T) {
	w := newWorld(t)
	first := w.activities()
	sum := fetch(t, first, "")
	applied := apply(t, first, ApplyInput{Fingerprint: sum.Fingerprint})
	users := len(w.sb.Brivo.Users())
	if users < 20 {
		t.Fatalf("%d users: too few to tell the audit share from the full rate", users)
	}

	second := w.activities(brivo.WithAuditShare(0.001)) // 1000/s × 0.001: 1 audit read a second
	fetch(t, second, "")
	w.sb.Brivo.ResetCalls()
	start := time.Now()
	res := apply(t, second, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: applied.AppliedToken})
	took := time.Since(start)
	reads := w.sb.Brivo.Calls()["GET /users/{id}/credentials"]
	if !res.Audited || reads < users/2 {
		t.Fatalf("the second worker read %d users' credentials (audited %v); want every user's", reads, res.Audited)
	}
	if limit := time.Duration(reads/2) * time.Second; took > limit {
		t.Fatalf("reading %d users' credentials took %s, as if held to the audit share (1 a second)", reads, took)
	}
}

// After an apply, the worker's Brivo client foresees the calls of the
// property's next transition that needs a write (2 per transition), so its
// leaser asks for their rate shortly before the instant; a move-in, which
// the window Brivo holds opens by itself, is not foreseen.
func TestApplyForeseesTheNextTransitionsCalls(t *testing.T) {
	w := newWorldWithDemo(t, &sandbox.Demo{MoveInAfter: 20 * time.Minute, MoveOutAfter: time.Hour})
	env := w.activities()
	sum := fetch(t, env, "")
	res := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})
	var at time.Time
	writes := 0
	for _, tr := range res.Next {
		if !at.IsZero() && !tr.At.Equal(at) {
			break
		}
		if tr.Kind != access.KindMoveIn {
			at = tr.At
			writes++
		}
	}
	if writes == 0 {
		t.Fatalf("no transition that needs a write among the next %d", len(res.Next))
	}
	bc := env.a.Brivo
	if got := bc.Foreseen(at, 0); got != 2*writes {
		t.Fatalf("at the next write instant (%d transitions): %d calls foreseen, want %d", writes, got, 2*writes)
	}
	if got := bc.Foreseen(at.Add(-3*time.Second), time.Second); got != 0 {
		t.Fatalf("3 s before the instant %d calls are foreseen within 1 s", got)
	}
	if in := w.sb.Demo.MoveIn.At; in.Before(at) {
		if got := bc.Foreseen(in, 0); got != 0 {
			t.Fatalf("at the demo move-in %d calls are foreseen", got)
		}
	}
}
