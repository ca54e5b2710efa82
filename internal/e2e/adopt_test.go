package e2e

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/activities"
	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

// handMadeSeed is one hand-made Brivo user the test seeds, and the resident
// (external id) it should be adopted as ("" when it must not be).
type handMadeSeed struct {
	user brivosim.UserState
	want string
}

// TestConnectPropertyAlreadyInBrivo connects property 100, whose 30
// residents were entered in Brivo by hand with cards and redeemed mobile
// passes: in preview nothing is written and the preview and the adoption
// proposal list exactly what they should; after adopt --apply and a switch
// to apply, nobody gets a second user or a second invitation, the adopted
// users keep their credentials, and the doors follow Entrata.
func TestConnectPropertyAlreadyInBrivo(t *testing.T) {
	needCLI(t)
	s := startStack(t, sandbox.Options{Seed: 13, PropertyIDs: []int{100}, Units: 40, Preview: []string{"100"}},
		map[string]string{"SYNC_AUDIT_INTERVAL": "15s"})
	site := s.site("100")
	policy, err := s.sb.Policy("100")
	if err != nil {
		t.Fatal(err)
	}
	seedAt := time.Now()
	entitled := entitlementsNow(t, s, policy, seedAt)
	seeds := seedHandMade(t, s, site, entitled, seedAt)
	handMadeIDs := map[int64]handMadeSeed{}
	for _, h := range seeds {
		handMadeIDs[h.user.ID] = h
	}
	doorsBefore := map[int64][]int64{}
	for _, h := range seeds {
		doorsBefore[h.user.ID] = s.doorsOpen(brivosim.PersonKey("", h.user.ID), time.Now())
	}

	s.sb.Brivo.ResetCalls()
	if rep := s.discover(); len(rep.Started) != 1 {
		t.Fatalf("discovery %+v: want property 100 started", rep)
	}
	s.eventually("property 100 previews", 90*time.Second, func() (bool, string) {
		st, err := s.status("100")
		if err != nil {
			return false, err.Error()
		}
		return st.Mode == "preview" && st.PreviewChanges["create-user"] > 0, fmt.Sprintf("%+v", st)
	})

	var preview activities.PreviewReport
	t.Run("preview lists exactly the expected changes and writes nothing", func(t *testing.T) {
		out := s.starter(t, "preview", "100", "--format", "json")
		if err := json.Unmarshal([]byte(out), &preview); err != nil {
			t.Fatalf("preview json: %v\n%s", err, out)
		}
		want := access.Diff(access.DesiredAt(entitlementsResult(t, s, policy), preview.At), nil,
			access.DiffOptions{InviteMobilePass: true, PropertyID: "100", Now: preview.At})
		gotNow, wantNow := map[string]int{}, map[string]int{}
		for _, c := range want.Changes {
			wantNow[c.ExternalID+" "+string(c.Kind)]++
		}
		transitions := 0
		for _, r := range preview.Rows {
			if !access.Owned(r.Who) {
				t.Fatalf("preview row for a user the sync does not own: %+v", r)
			}
			if r.At.Equal(preview.At) && !isTransitionKind(r.What) {
				gotNow[r.Who+" "+r.What]++
			} else {
				transitions++
			}
		}
		if fmt.Sprint(gotNow) != fmt.Sprint(wantNow) {
			t.Fatalf("changes due now:\n got %v\nwant %v", gotNow, wantNow)
		}
		wantTr := 0
		for _, tr := range access.Transitions(entitlementsResult(t, s, policy), preview.At) {
			if !tr.At.After(preview.At.Add(activities.PreviewHorizon)) {
				wantTr++
			}
		}
		if transitions != wantTr || wantTr == 0 {
			t.Fatalf("preview lists %d transitions of the next 30 days; want %d (> 0)", transitions, wantTr)
		}
		st, _ := s.status("100")
		for kind, n := range st.PreviewChanges {
			if preview.Counts[kind] != n {
				t.Fatalf("status counts %v disagree with the preview list %v", st.PreviewChanges, preview.Counts)
			}
		}
		t.Logf("preview: %d rows, counts %v; status %v", len(preview.Rows), preview.Counts, st.PreviewChanges)
	})

	t.Run("preview csv opens as a spreadsheet", func(t *testing.T) {
		out := s.starter(t, "preview", "100", "--format", "csv")
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("csv: %v\n%s", err, out)
		}
		if len(recs) < 2 || strings.Join(recs[0], ",") != "at,who,name,brivoId,what,detail,why" {
			t.Fatalf("csv header %q; want at,who,name,brivoId,what,detail,why and rows", recs[0])
		}
		if len(recs)-1 != len(preview.Rows) {
			t.Fatalf("csv has %d change rows; the json preview %d", len(recs)-1, len(preview.Rows))
		}
		for i, r := range recs[1:] {
			if len(r) != 7 || !access.Owned(r[1]) || r[4] == "" || r[6] == "" {
				t.Fatalf("csv row %d is not one change: %q", i+1, r)
			}
		}
	})

	t.Run("adoption proposal: 25 matches, 3 ambiguous, 2 not in Entrata", func(t *testing.T) {
		out := s.starter(t, "adopt", "100", "--format", "json")
		var rep activities.AdoptionReport
		if err := json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &rep); err != nil {
			t.Fatalf("adopt json: %v\n%s", err, out)
		}
		c := rep.Counts
		if c.Matches != 25 || c.ByEmail != 20 || c.ByName != 5 || c.Ambiguous != 3 || c.NotInEntrata != 2 {
			t.Fatalf("proposal counts %+v; want 25 (20 by e-mail, 5 by name and unit), 3 ambiguous, 2 not in Entrata", c)
		}
		for _, m := range rep.Matches {
			if h, ok := handMadeIDs[m.BrivoID]; !ok || h.want != m.ExternalID {
				t.Fatalf("match %+v; want Brivo user %d adopted as %q", m, m.BrivoID, h.want)
			}
		}
		for _, m := range append(rep.Ambiguous, rep.NotInEntrata...) {
			if h := handMadeIDs[m.BrivoID]; h.want != "" || m.Reason == "" {
				t.Fatalf("%+v listed as ambiguous or unmatched; want it adopted as %q, with a reason otherwise", m, h.want)
			}
		}
		text := s.starter(t, "adopt", "100")
		if !strings.Contains(text, "25 matches") || !strings.Contains(text, "Nothing was written") {
			t.Fatalf("adopt text:\n%s", text)
		}
	})

	t.Run("explain a current, a future, a past resident and an unknown id", func(t *testing.T) {
		r := entitlementsResult(t, s, policy)
		var current, future string
		for _, e := range r.Entitlements {
			switch {
			case e.Window.From.After(time.Now().Add(time.Hour)) && future == "":
				future = e.CustomerID
			case e.Window.Contains(time.Now()) && current == "":
				current = e.ExternalID // by Brivo external id
			}
		}
		past := pastCustomer(t, s, r)
		for _, tc := range []struct{ who, want string }{
			{current, "Verdict: current"}, {future, "Verdict: future"}, {past, "Verdict: past"},
			{"99999999", "Verdict: unknown"},
		} {
			if tc.who == "" {
				t.Fatalf("no resident for %q in the portfolio", tc.want)
			}
			out := s.starter(t, "explain", "100", tc.who)
			t.Logf("starter explain 100 %s:\n%s", tc.who, out)
			if !strings.Contains(out, tc.want) || !strings.Contains(out, "Pending transitions") {
				t.Fatalf("explain %s: want %q\n%s", tc.who, tc.want, out)
			}
			if tc.want != "Verdict: unknown" && !strings.Contains(out, "rule: ") {
				t.Fatalf("explain %s names no rule:\n%s", tc.who, out)
			}
			if tc.want == "Verdict: unknown" && !strings.Contains(out, "Entrata returned no lease") {
				t.Fatalf("explain of an unknown id is not clear:\n%s", out)
			}
		}
	})

	if w := writeCalls(s.sb.Brivo.Calls()); len(w) > 0 {
		t.Fatalf("Brivo writes in preview: %v", w)
	}

	credsBefore := map[int64][]int64{}
	for _, h := range seeds {
		credsBefore[h.user.ID] = credentialIDs(h.user)
	}
	s.sb.Brivo.ResetCalls()
	t.Run("adopt --apply writes the external id with PATCH and the tag, nothing else", func(t *testing.T) {
		out := s.starter(t, "adopt", "100", "--apply")
		if !strings.Contains(out, "Adopted 25 users") {
			t.Fatalf("adopt --apply:\n%s", out)
		}
		for _, h := range seeds {
			u := userByID(t, s, h.user.ID)
			if u.ExternalID != h.want {
				t.Fatalf("Brivo user %d external id %q; want %q", h.user.ID, u.ExternalID, h.want)
			}
			if tag := s.sb.Brivo.CustomFieldValue(u.ID, tagField); (h.want != "") != (tag == "100") {
				t.Fatalf("Brivo user %d tag %q (adopted: %t)", u.ID, tag, h.want != "")
			}
		}
		w := writeCalls(s.sb.Brivo.Calls())
		patches, tags := w["PATCH /users/{id}"], 0
		for k, n := range w {
			switch {
			case strings.HasPrefix(k, "PUT /users/{id}/custom-fields"):
				tags += n
			case k == "PATCH /users/{id}", k == "POST /custom-fields":
			default:
				t.Fatalf("adoption sent %s (%d); want only PATCH /users/{id} and the custom-field PUT: %v", k, n, w)
			}
		}
		if patches != 25 || tags != 25 {
			t.Fatalf("adoption writes %v; want 25 PATCH and 25 tag PUT", w)
		}
		var again activities.PreviewReport
		if err := json.Unmarshal([]byte(s.starter(t, "preview", "100", "--format", "json")), &again); err != nil {
			t.Fatal(err)
		}
		for _, row := range again.Rows {
			if row.What == string(access.CreateUser) || row.What == string(access.InviteMobilePass) {
				if h := seedByExt(seeds, row.Who); h != nil {
					t.Fatalf("after adoption the preview still wants %s for adopted %s", row.What, row.Who)
				}
			}
		}
		if again.Adoption == nil || again.Adoption.Counts.Matches != 0 || again.Adoption.Counts.Ambiguous != 3 {
			t.Fatalf("proposal after adoption %+v; want no match left, the 3 ambiguous still listed", again.Adoption)
		}
	})

	// Let the cycle the adoption asked for finish, so the worker restart
	// interrupts no fetch.
	adopted := time.Now()
	s.eventually("the cycle after the adoption", 60*time.Second, func() (bool, string) {
		st, err := s.status("100")
		return err == nil && st.LastSuccess != nil && st.LastSuccess.After(adopted), fmt.Sprintf("%+v %v", st, err)
	})
	switched := time.Now()
	s.switchToApply(t, "100")
	s.sync("100")
	s.eventually("property 100 applies", 60*time.Second, func() (bool, string) {
		st, err := s.status("100")
		return err == nil && st.Mode == "" && st.LastError == "" && st.Granted > 0, fmt.Sprintf("%+v %v", st, err)
	})
	applyCalls := s.sb.Brivo.Calls()
	s.sb.Brivo.ResetCalls()
	s.sync("100")
	if w := writeCalls(s.sb.Brivo.Calls()); len(w) > 0 {
		t.Fatalf("the sync after the switch wrote again what the first apply wrote: %v", w)
	}
	now := time.Now()

	t.Run("after apply: no second user, no second invitation, same credentials", func(t *testing.T) {
		if applyCalls["PUT /users/{id}"] != 0 {
			t.Fatalf("a user was replaced with PUT: %v", writeCalls(applyCalls))
		}
		t.Logf("writes of the adoption and the first apply: %v", writeCalls(applyCalls))
		for _, h := range seeds {
			u := userByID(t, s, h.user.ID)
			if h.want != "" {
				if again, ok := s.sb.Brivo.UserByExternalID(h.want); !ok || again.ID != h.user.ID {
					t.Fatalf("%s is Brivo user %d; want the adopted %d", h.want, again.ID, h.user.ID)
				}
			}
			if got := credentialIDs(u); !slices.Equal(got, credsBefore[h.user.ID]) {
				t.Fatalf("Brivo user %d credentials %v; had %v", u.ID, got, credsBefore[h.user.ID])
			}
			if h.want == "" && (u.Suspended || !slices.Equal(u.Groups, h.user.Groups)) {
				t.Fatalf("unadopted hand-made user %d changed: suspended %t groups %v (was %v)", u.ID, u.Suspended, u.Groups, h.user.Groups)
			}
		}
		for _, ev := range s.sb.Brivo.Timeline() {
			h, seeded := handMadeIDs[ev.UserID]
			if seeded && ev.Kind == "invitation.created" && !ev.Console {
				t.Fatalf("second invitation sent to hand-made user %d (%s) at %s", ev.UserID, h.want, ev.Time)
			}
			if seeded && ev.Kind == "user.created" && ev.Time.After(switched) {
				t.Fatalf("hand-made user %d recreated", ev.UserID)
			}
		}
		created := 0
		for _, u := range s.sb.Brivo.Users() {
			if access.Owned(u.ExternalID) && u.Created.After(seedAt) {
				if _, hand := handMadeIDs[u.ID]; !hand {
					created++
				}
			}
		}
		if want := len(entitled) - 25; created != want {
			t.Fatalf("%d users created; want %d (every entitled resident but the 25 adopted)", created, want)
		}
	})

	t.Run("referee: the doors follow Entrata, the rest as before", func(t *testing.T) {
		expected, err := s.sb.Expected(now, now.Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		changed := 0
		for _, h := range seeds {
			key := brivosim.PersonKey(h.want, h.user.ID)
			after := s.doorsOpen(key, now)
			if h.want == "" {
				if !slices.Equal(after, doorsBefore[h.user.ID]) {
					t.Fatalf("unadopted user %d: doors %v, before %v", h.user.ID, after, doorsBefore[h.user.ID])
				}
				continue
			}
			var want []int64
			for ap := range expected[h.want] {
				want = append(want, ap)
			}
			slices.Sort(want)
			if !slices.Equal(after, want) {
				t.Fatalf("%s opens %v; Entrata entitles %v (before adoption %v)", h.want, after, want, doorsBefore[h.user.ID])
			}
			if !slices.Equal(after, doorsBefore[h.user.ID]) {
				changed++
			}
		}
		t.Logf("adopted residents whose doors changed because Entrata says so: %d of 25", changed)
	})
}
