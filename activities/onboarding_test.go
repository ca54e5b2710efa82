package activities

import (
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

func writes(calls map[string]int) map[string]int {
	out := map[string]int{}
	for k, n := range calls {
		if m, path, _ := strings.Cut(k, " "); m != "GET" && path != "/oauth/token" {
			out[k] = n
		}
	}
	return out
}

func operate[T any](t *testing.T, r run, fn any, in OperatorInput) T {
	t.Helper()
	v, err := r.env.ExecuteActivity(fn, in)
	if err != nil {
		t.Fatalf("activity: %v", err)
	}
	var out T
	if err := v.Get(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPreviewThenAdoptIsSafeToRetry: a previewing property writes nothing;
// AdoptUsers takes over the matched hand-made users with PATCH and the tag
// PUT only, and run again writes nothing more; explain then shows the
// adopted Brivo record.
func TestPreviewThenAdoptIsSafeToRetry(t *testing.T) {
	w := newWorldWith(t, sandbox.Options{Seed: 11, Properties: 1, Units: 12, Now: time.Now(), Preview: []string{"100"}})
	r := w.activities()
	sum := fetch(t, r, "")
	var picked []access.Entitlement
	for _, e := range r.a.memory("100").plan.result.Entitlements {
		if e.Email != "" && e.Window.Contains(time.Now()) && len(picked) < 2 {
			picked = append(picked, e)
		}
	}
	if len(picked) < 2 {
		t.Fatal("fewer than 2 current residents with an e-mail")
	}
	building := w.sb.Sites[0].BuildingGroups[0]
	var ids []int64
	for _, e := range picked {
		u, err := w.sb.Brivo.CreateHandMadeUser(brivosim.HandMade{FirstName: "X", LastName: "Y", Email: strings.ToUpper(e.Email),
			Groups: []int64{building}, CardRef: "card-" + e.CustomerID, MobilePass: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	if _, err := w.sb.Brivo.CreateHandMadeUser(brivosim.HandMade{FirstName: "Staff", LastName: "Member", Groups: []int64{building}}); err != nil {
		t.Fatal(err)
	}
	w.sb.Brivo.ResetCalls()

	res := apply(t, r, ApplyInput{Fingerprint: sum.Fingerprint})
	if !res.Preview || res.Changes["create-user"] == 0 || res.Grants != 0 || res.AppliedToken == "" {
		t.Fatalf("preview apply %+v; want counts, no grants, a preview token", res)
	}
	rep := operate[AdoptionReport](t, r, r.a.ProposeAdoption, OperatorInput{PropertyID: "100"})
	if rep.Counts.Matches != 2 || rep.Counts.NotInEntrata != 1 || rep.Counts.Ambiguous != 0 {
		t.Fatalf("proposal %+v", rep.Counts)
	}
	if got := writes(w.sb.Brivo.Calls()); len(got) > 0 {
		t.Fatalf("preview and proposal wrote to Brivo: %v", got)
	}

	first := operate[AdoptionApplyResult](t, r, r.a.AdoptUsers, OperatorInput{PropertyID: "100"})
	got := writes(w.sb.Brivo.Calls())
	if first.Adopted != 2 || got["PATCH /users/{id}"] != 2 || got["PUT /users/{id}/custom-fields/{field}"] != 2 || got["PUT /users/{id}"] != 0 {
		t.Fatalf("adoption %+v wrote %v; want 2 PATCH and 2 tag PUT", first, got)
	}
	w.sb.Brivo.ResetCalls()
	again := operate[AdoptionApplyResult](t, r, r.a.AdoptUsers, OperatorInput{PropertyID: "100"})
	if again.Adopted != 0 || len(writes(w.sb.Brivo.Calls())) > 0 {
		t.Fatalf("a retry adopted %d and wrote %v; want nothing", again.Adopted, writes(w.sb.Brivo.Calls()))
	}

	ex := operate[Explanation](t, r, r.a.Explain, OperatorInput{PropertyID: "100", Who: picked[0].CustomerID})
	if ex.Verdict != "current" || ex.Brivo == nil || ex.Brivo.BrivoID != ids[0] || ex.Brivo.Tag != "100" || len(ex.Brivo.Credentials) != 2 {
		t.Fatalf("explain after adoption: %+v brivo %+v", ex, ex.Brivo)
	}
	for _, c := range ex.ChangesNow {
		if c.What == string(access.CreateUser) || c.What == string(access.InviteMobilePass) {
			t.Fatalf("an adopted resident would get %s: %+v", c.What, c)
		}
	}
	if ex.Name != "" {
		t.Fatalf("name %q in an explanation without encrypted payloads", ex.Name)
	}
}
