package activities

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

// brivoWrites returns the simulator's write calls (token requests excluded).
func brivoWrites(calls map[string]int) map[string]int {
	out := map[string]int{}
	for k, n := range calls {
		if method, path, _ := strings.Cut(k, " "); n > 0 && method != "GET" && path != "/oauth/token" {
			out[k] = n
		}
	}
	return out
}

// Under the strict reading (create-body customFields ignored) and the lenient
// one alike, users are tagged through the documented PUT, audits find every
// one of them, and an audit with nothing to repair writes nothing, over a
// property large enough to page (more than 100 users). The calls an audit
// costs are read from the simulator's counters.
func TestIdleAuditWritesNothingUnderEitherReading(t *testing.T) {
	for _, lenient := range []bool{false, true} {
		t.Run(fmt.Sprintf("lenient=%t", lenient), func(t *testing.T) {
			w := newWorldWith(t, sandbox.Options{Seed: 11, Properties: 1, Units: 80, Now: time.Now(), LenientBrivo: lenient})
			env := w.activities()
			sum := fetch(t, env, "")
			first := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})
			if first.Grants == 0 {
				t.Fatal("the initial apply granted nothing")
			}
			owned := 0
			for _, u := range w.sb.Brivo.Users() {
				if !access.Owned(u.ExternalID) {
					continue
				}
				owned++
				if v := w.sb.Brivo.CustomFieldValue(u.ID, "Entrata Property"); v != "100" {
					t.Fatalf("%s tag %q; want 100", u.ExternalID, v)
				}
			}
			for i := range 2 {
				w.sb.Brivo.ResetCalls()
				res := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: first.AppliedToken, Audit: true})
				calls := w.sb.Brivo.Calls()
				if wr := brivoWrites(calls); len(wr) > 0 || res.Grants+res.Revocations != 0 || res.Unlisted != 0 {
					t.Fatalf("audit %d with nothing changed: writes %v, grants %d, revocations %d, unlisted %d",
						i+1, wr, res.Grants, res.Revocations, res.Unlisted)
				}
				// The audit's cost: two user lists (exact tag, delimited
				// token), one member list per managed group, one
				// credentials read per user.
				// Pages of 100: the exact list pages, the token list is empty.
				if calls["GET /users"] != (owned+99)/100+1 || calls["GET /users/{id}/credentials"] != owned {
					t.Fatalf("audit cost %v for %d users", calls, owned)
				}
				if i == 1 {
					t.Logf("an audit of %d users: %v", owned, calls)
				}
			}
		})
	}
}

// A tag removed by hand: the audit does not see the user under the tag,
// finds it by external id, reports the blind spot and writes the tag back,
// and nothing else.
func TestAuditRepairsARemovedTag(t *testing.T) {
	w := newWorld(t)
	env := w.activities()
	sum := fetch(t, env, "")
	first := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})
	var victim int64
	for _, u := range w.sb.Brivo.Users() {
		if access.Owned(u.ExternalID) && !u.Suspended {
			victim = u.ID
			break
		}
	}
	if err := w.sb.Brivo.ManualSetCustomField(victim, "Entrata Property", ""); err != nil {
		t.Fatal(err)
	}
	w.sb.Brivo.ResetCalls()
	res := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: first.AppliedToken, Audit: true})
	if res.Unlisted != 1 || res.Problems == 0 {
		t.Fatalf("unlisted %d problems %d; want the blind spot reported", res.Unlisted, res.Problems)
	}
	if wr := brivoWrites(w.sb.Brivo.Calls()); len(wr) != 1 || wr["PUT /users/{id}/custom-fields/{field}"] != 1 {
		t.Fatalf("writes %v; want only the tag put back", wr)
	}
	if v := w.sb.Brivo.CustomFieldValue(victim, "Entrata Property"); v != "100" {
		t.Fatalf("tag %q after the audit", v)
	}
	if res.Grants != 0 {
		t.Fatalf("a tag repair counted %d grants", res.Grants)
	}
}

// Under a reading where Brivo keeps a bound even when sent an explicit null,
// the product cannot reopen a window. It reads the write back, reports it,
// and does not send the same write again at the next audit.
func TestAWriteBrivoDidNotKeepIsReportedNotRepeated(t *testing.T) {
	w := newWorldWith(t, sandbox.Options{Seed: 11, Properties: 1, Units: 12, Now: time.Now(), BrivoKeepsNullBounds: true})
	env := w.activities()
	sum := fetch(t, env, "")
	first := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})
	// A resident with an open-ended window gets an end by hand.
	var victim int64
	for _, u := range w.sb.Brivo.Users() {
		if access.Owned(u.ExternalID) && !u.Suspended && len(u.Credentials) == 1 && u.Credentials[0].EffectiveTo == nil {
			end := time.Now().Add(48 * time.Hour).Truncate(time.Second)
			if err := w.sb.Brivo.ManualSetWindow(u.ID, u.Credentials[0].ID, u.Credentials[0].EffectiveFrom, &end); err != nil {
				t.Fatal(err)
			}
			victim = u.ID
			break
		}
	}
	if victim == 0 {
		t.Fatal("no open-ended resident in the world")
	}
	w.sb.Brivo.ResetCalls()
	res := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: first.AppliedToken, Audit: true})
	if wr := brivoWrites(w.sb.Brivo.Calls()); wr["PUT /users/{id}/credentials/{cred}"] != 1 {
		t.Fatalf("first audit writes %v; want the window put back once", wr)
	}
	if !strings.Contains(strings.Join(res.ProblemSample, "\n"), "did not keep") {
		t.Fatalf("problems %v; want the write Brivo did not keep reported", res.ProblemSample)
	}
	w.sb.Brivo.ResetCalls()
	res = apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: res.AppliedToken, Audit: true})
	if wr := brivoWrites(w.sb.Brivo.Calls()); len(wr) != 0 {
		t.Fatalf("second audit re-sent %v; a write Brivo did not keep must not be repeated blindly", wr)
	}
	if !strings.Contains(strings.Join(res.ProblemSample, "\n"), "did not keep") {
		t.Fatalf("second audit problems %v; want it still reported", res.ProblemSample)
	}
}
