package e2e

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/codec"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/entratasim"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
	"github.com/entrata-brivo/entrata-brivo/workflows"
)

// testKey is the payload key of the end-to-end run (32 zero-ish bytes).
var testKey = base64.StdEncoding.EncodeToString([]byte("e2e-payload-key-0123456789abcdef"))

// TestPropertySyncEndToEnd drives the whole product through one scenario on
// a real dev server: initial convergence, demo move-in and move-out at their
// instants, mid-run lease changes, a manual Brivo edit put back by the audit,
// a foreign user left alone, injected faults, the mass-revocation guard, a
// worker killed mid-batch, the temporal CLI, metrics and payload encryption.
func TestPropertySyncEndToEnd(t *testing.T) {
	needCLI(t)
	start := time.Now()
	s := startStack(t, sandbox.Options{
		Seed: 7, Properties: 3, Units: 40, Now: start,
		Demo: &sandbox.Demo{MoveInAfter: 40 * time.Second, MoveOutAfter: 55 * time.Second},
	}, map[string]string{"SYNC_PAYLOAD_KEY": testKey, "SYNC_AUDIT_INTERVAL": "15s"})

	// A user without our prefix, made by hand in the console before we start.
	foreign, err := s.sb.Brivo.CreateForeignUser("Pat", "Contractor", "vendor-77")
	if err != nil {
		t.Fatal(err)
	}
	entrances := s.sb.Sites[0].BuildingGroups[0]
	if err := s.sb.Brivo.ManualAddToGroup(foreign.ID, entrances); err != nil {
		t.Fatal(err)
	}

	rep := s.discover()
	if len(rep.Started) != 3 || len(rep.Mapped) != 3 {
		t.Fatalf("discovery report %+v: want 3 properties started", rep)
	}
	if again := s.discover(); len(again.Running) != 3 || len(again.Started) != 0 {
		t.Fatalf("second discovery %+v: want 3 running, none started", again)
	}
	s.converged(60 * time.Second)

	t.Run("initial convergence", func(t *testing.T) {
		residents := 0
		for _, u := range s.sb.Brivo.Users() {
			if access.Owned(u.ExternalID) && !u.Suspended {
				residents++
			}
		}
		if residents < 100 {
			t.Fatalf("only %d residents in Brivo; the scenario needs at least 100", residents)
		}
		now := time.Now()
		r := s.referee(now, now.Add(2*time.Second))
		if r.OverGrant != 0 || r.UnderGrant != 0 {
			t.Fatalf("after convergence: over-grant %s, under-grant %s: %v", r.OverGrant, r.UnderGrant, firstPeople(r))
		}
		t.Logf("converged: %d residents with Brivo users, referee over=0 under=0", residents)
	})

	t.Run("temporal CLI signal and query", func(t *testing.T) {
		codecSrv := httptest.NewServer(mustCodecHandler(t))
		defer codecSrv.Close()
		s.cli("workflow", "signal", "--workflow-id", workflows.PropertySyncWorkflowID("101"), "--name", workflows.SignalSyncNow)
		out := s.cli("workflow", "query", "--workflow-id", workflows.PropertySyncWorkflowID("101"),
			"--type", workflows.QueryStatus, "--codec-endpoint", codecSrv.URL, "-o", "json")
		if !strings.Contains(out, `"propertyId": "101"`) && !strings.Contains(out, `"propertyId":"101"`) {
			t.Fatalf("status query through the CLI did not decode: %s", tail(out, 600))
		}
	})

	t.Run("starter CLI", func(t *testing.T) {
		out := s.starter(t, "schedule", "--every", "1h")
		if !strings.Contains(out, "created") {
			t.Fatalf("first schedule: %s", out)
		}
		if out := s.starter(t, "schedule", "--every", "30m"); !strings.Contains(out, "updated") {
			t.Fatalf("second schedule is not an idempotent update: %s", out)
		}
		if out := s.starter(t, "status", "101"); !strings.Contains(out, `"propertyId": "101"`) {
			t.Fatalf("status: %s", out)
		}
		if out := s.starter(t, "sync", "102"); !strings.Contains(out, `"fetched": true`) {
			t.Fatalf("sync: %s", out)
		}
		s.starter(t, "pause", "101")
		s.eventually("paused", 10*time.Second, func() (bool, string) {
			st, err := s.status("101")
			return err == nil && st.Paused && st.State == workflows.StatePaused, fmt.Sprintf("%+v %v", st, err)
		})
		s.starter(t, "resume", "101")
		s.eventually("resumed", 10*time.Second, func() (bool, string) {
			st, err := s.status("101")
			return err == nil && !st.Paused && st.State == workflows.StateOK, fmt.Sprintf("%+v %v", st, err)
		})
		if out, err := s.starterErr("approve", "101"); err == nil || !strings.Contains(out, "no revocations are held") {
			t.Fatalf("approve with nothing held: %v: %s", err, out)
		}
		if out, err := s.starterErr("status", "999"); err == nil || !strings.Contains(out, "starter sync 999") {
			t.Fatalf("status of an unknown property: %v: %s", err, out)
		}
	})

	t.Run("demo move-in and move-out at their instants", func(t *testing.T) {
		d := s.sb.Demo
		wait := time.Until(d.MoveOut.At.Add(5 * time.Second))
		if wait > 0 {
			time.Sleep(wait)
		}
		for _, ev := range []sandbox.DemoEvent{d.MoveIn, d.MoveOut} {
			// The move-in is judged from the very start: a pass that opened
			// before it, even for an instant during provisioning, counts.
			// The move-out from after the initial convergence.
			from, to := ev.At.Add(-10*time.Second), ev.At.Add(5*time.Second)
			if ev == d.MoveIn {
				from = start
			}
			want, err := s.sb.Expected(from, to)
			if err != nil {
				t.Fatal(err)
			}
			got := s.sb.Brivo.OpenIntervals(ev.ExternalID, ev.AccessPointID, from, to)
			r := brivosim.CompareAccess(
				map[string]map[int64][]brivosim.Interval{ev.ExternalID: {ev.AccessPointID: got}},
				map[string]map[int64][]brivosim.Interval{ev.ExternalID: {ev.AccessPointID: want[ev.ExternalID][ev.AccessPointID]}})
			t.Logf("transition of %s at %s: over-grant %s, under-grant %s", ev.ExternalID, ev.At.Format(time.TimeOnly), r.OverGrant, r.UnderGrant)
			if r.OverGrant >= 5*time.Second || r.UnderGrant >= 5*time.Second {
				t.Errorf("%s: over %s under %s (limit 5s); actual %v", ev.ExternalID, r.OverGrant, r.UnderGrant, got)
			}
		}
		// Before the move-in instant the new resident must never have opened
		// anything, not even for a moment while being provisioned.
		for _, iv := range s.sb.Brivo.OpenIntervals(d.MoveIn.ExternalID, d.MoveIn.AccessPointID, start, d.MoveIn.At) {
			t.Errorf("the new resident could open the entrance before moving in: %v", iv)
		}
		// The same, against a table written by hand from the rules.
		hand := demoByHand(t, s)
		checkByHand(t, s, hand[:1], start, d.MoveIn.At.Add(5*time.Second), 5*time.Second)
		checkByHand(t, s, hand[1:], d.MoveOut.At.Add(-10*time.Second), d.MoveOut.At.Add(5*time.Second), 5*time.Second)
		if s.sb.Brivo.CanOpen(d.MoveOut.ExternalID, d.MoveOut.AccessPointID, time.Now()) {
			t.Error("the moved-out resident can still open the entrance")
		}
		if !s.sb.Brivo.CanOpen(d.MoveIn.ExternalID, d.MoveIn.AccessPointID, time.Now()) {
			t.Error("the moved-in resident cannot open the entrance")
		}
	})

	t.Run("renewal, transfer and early move-out after sync-now", func(t *testing.T) {
		yesterday := entrata.DateOf(time.Now().Add(-36 * time.Hour))
		p := s.sb.Entrata.Portfolio()
		renew := findLease(t, p, "101", func(l entrata.Lease) bool {
			return l.Status == entrata.LeaseNotice && !l.MoveOutDate.IsZero() && l.ParentLeaseID == ""
		})
		early := findLease(t, p, "100", func(l entrata.Lease) bool {
			return l.Status == entrata.LeaseCurrent && l.MoveOutDate.IsZero() && l.ID != "990002"
		})
		move := findLease(t, p, "102", func(l entrata.Lease) bool { return l.Status == entrata.LeaseCurrent && l.MoveOutDate.IsZero() })
		vacant := vacantUnit(t, p, "102", move.UnitID)
		if err := s.sb.Entrata.Renew("101", renew.ID, entrata.DateOf(time.Now()), entrata.DateOf(time.Now().AddDate(1, 0, 0))); err != nil {
			t.Fatal(err)
		}
		if err := s.sb.Entrata.GiveNotice("100", early.ID, yesterday); err != nil {
			t.Fatal(err)
		}
		if _, err := s.sb.Entrata.Transfer("102", move.ID, vacant.ID, yesterday); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"100", "101", "102"} {
			if rep := s.sync(id); rep.Error != "" || !rep.Fetched {
				t.Fatalf("sync %s: %+v", id, rep)
			}
		}
		now := time.Now()
		if r := s.referee(now, now.Add(2*time.Second)); r.OverGrant != 0 || r.UnderGrant != 0 {
			t.Fatalf("after lease changes: over %s under %s: %v", r.OverGrant, r.UnderGrant, firstPeople(r))
		}
		checkByHand(t, s, leaseChangesByHand(t, s, renew, early, move, vacant.ID, yesterday), now, now.Add(2*time.Second), 0)
		renewed := mustUser(t, s, renew.Customers[0].ID)
		for _, c := range renewed.Credentials {
			if c.EffectiveTo != nil {
				t.Errorf("renewed resident still has an end %s", c.EffectiveTo)
			}
		}
		if u := mustUser(t, s, primaryOf(early)); !u.Suspended {
			t.Error("early move-out (date in the past) is not suspended")
		}
		newGroup := s.sb.Sites[2].UnitGroups[vacant.Number]
		if u := mustUser(t, s, primaryOf(move)); !contains(u.Groups, newGroup) || u.Suspended {
			t.Errorf("transferred resident: groups %v suspended %v, want the new unit group %d", u.Groups, u.Suspended, newGroup)
		}
	})

	t.Run("manual edits are put back by the audit; foreign users untouched", func(t *testing.T) {
		victim := activeResident(t, s, "100")
		other := activeResident(t, s, "101")
		if err := s.sb.Brivo.ManualSetSuspended(victim.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := s.sb.Brivo.ManualAddToGroup(other.ID, s.sb.Sites[1].BuildingGroups[1]); err != nil {
			// already a member: remove it instead, which the audit must also undo
			_ = s.sb.Brivo.ManualRemoveFromGroup(other.ID, s.sb.Sites[1].BuildingGroups[1])
		}
		s.eventually("manual edits reverted", 60*time.Second, func() (bool, string) {
			now := time.Now()
			r := s.referee(now, now.Add(time.Second))
			v, _ := s.sb.Brivo.UserByExternalID(victim.ExternalID)
			return !v.Suspended && r.OverGrant == 0 && r.UnderGrant == 0,
				fmt.Sprintf("victim suspended=%v over=%s under=%s", v.Suspended, r.OverGrant, r.UnderGrant)
		})
		f, ok := s.sb.Brivo.UserByExternalID("vendor-77")
		if !ok || f.Suspended || !contains(f.Groups, entrances) || f.FirstName != "Pat" {
			t.Fatalf("foreign user was touched: %+v", f)
		}
	})

	t.Run("faults are retried to convergence", func(t *testing.T) {
		p := s.sb.Entrata.Portfolio()
		leaving := findLease(t, p, "101", func(l entrata.Lease) bool { return l.Status == entrata.LeaseCurrent && l.MoveOutDate.IsZero() })
		s.sb.Brivo.SetFault("/v1/api/users", brivosim.Fault{Next: 4, Status: 503, RetryAfter: time.Second})
		s.sb.Brivo.SetFault("/v1/api/groups", brivosim.Fault{Next: 2, Status: 429, RetryAfter: time.Second})
		s.sb.Brivo.SetFault("/v1/api/custom-fields", brivosim.Fault{Next: 2, Status: 403, OverQps: true})
		s.sb.Entrata.SetFault("leases", entratasim.Fault{FailNext: 2, Status: 500})
		if err := s.sb.Entrata.GiveNotice("101", leaving.ID, entrata.DateOf(time.Now().Add(-36*time.Hour))); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"100", "101", "102"} {
			s.cli("workflow", "signal", "--workflow-id", workflows.PropertySyncWorkflowID(id), "--name", workflows.SignalSyncNow)
		}
		s.eventually("convergence through faults", 90*time.Second, func() (bool, string) {
			u, _ := s.sb.Brivo.UserByExternalID(access.ExternalID(primaryOf(leaving)))
			now := time.Now()
			r := s.referee(now, now.Add(time.Second))
			return u.Suspended && r.OverGrant == 0 && r.UnderGrant == 0,
				fmt.Sprintf("leaving suspended=%v over=%s under=%s", u.Suspended, r.OverGrant, r.UnderGrant)
		})
		s.sb.Brivo.ClearFaults()
		s.sb.Entrata.ClearFaults()
	})

	t.Run("an empty Entrata answer is held by the guard", func(t *testing.T) {
		s.sb.Entrata.SetEmpty("102", true)
		rep := s.sync("102")
		if rep.Held == 0 {
			t.Fatalf("empty answer not held: %+v", rep)
		}
		st, err := s.status("102")
		if err != nil || st.State != workflows.StateHeld {
			t.Fatalf("status %+v err %v, want held", st, err)
		}
		now := time.Now()
		if r := s.referee(now, now.Add(time.Second)); r.UnderGrant != 0 {
			t.Fatalf("residents lost access while held: under-grant %s %v", r.UnderGrant, firstPeople(r))
		}
		s.sb.Entrata.SetEmpty("102", false)
		s.sync("102")
		if st, _ := s.status("102"); st.State != workflows.StateOK {
			t.Fatalf("after Entrata answers again: %+v", st)
		}
	})

	t.Run("worker killed mid-batch converges without duplicates", func(t *testing.T) {
		ids := addFutureResidents(t, s, "102", 40)
		s.sb.Brivo.SetFault("/v1/api/users", brivosim.Fault{Latency: 60 * time.Millisecond})
		s.cli("workflow", "signal", "--workflow-id", workflows.PropertySyncWorkflowID("102"), "--name", workflows.SignalSyncNow)
		s.eventually("batch under way", 60*time.Second, func() (bool, string) {
			n := countExisting(s, ids)
			return n >= 3, fmt.Sprintf("%d of %d created", n, len(ids))
		})
		created := countExisting(s, ids)
		s.killWorker()
		if created == len(ids) {
			t.Fatalf("the batch finished before the kill; nothing was tested")
		}
		t.Logf("killed the worker after %d of %d users", created, len(ids))
		s.sb.Brivo.ClearFaults()
		s.startWorker()
		s.eventually("convergence after restart", 150*time.Second, func() (bool, string) {
			n := countExisting(s, ids)
			now := time.Now()
			r := s.referee(now, now.Add(time.Second))
			return n == len(ids) && r.OverGrant == 0 && r.UnderGrant == 0, fmt.Sprintf("%d of %d, over %s under %s", n, len(ids), r.OverGrant, r.UnderGrant)
		})
		seen := map[string]int{}
		for _, u := range s.sb.Brivo.Users() {
			seen[u.ExternalID]++
			mobile := 0
			for _, c := range u.Credentials {
				if c.Mobile {
					mobile++
				}
			}
			if mobile > 1 {
				t.Errorf("%s holds %d mobile passes", u.ExternalID, mobile)
			}
		}
		for ext, n := range seen {
			if n > 1 {
				t.Errorf("%s exists %d times", ext, n)
			}
		}
	})

	t.Run("metrics endpoint", func(t *testing.T) {
		// The worker was restarted above: its per-property series appear
		// with its first apply (at 0 when it has nothing to grant).
		addr := strings.TrimPrefix(envValue(s.env, "METRICS_ADDR"), "")
		s.eventually("every product metric served", 60*time.Second, func() (bool, string) {
			resp, err := http.Get("http://" + addr + "/metrics")
			if err != nil {
				return false, err.Error()
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var missing []string
			for _, name := range []string{
				"entrata_brivo_grants_total", "entrata_brivo_brivo_calls_total", "entrata_brivo_entrata_calls_total",
				"entrata_brivo_seconds_since_last_sync", "entrata_brivo_unmapped_units", "temporal_",
			} {
				if !strings.Contains(string(body), name) {
					missing = append(missing, name)
				}
			}
			return len(missing) == 0, fmt.Sprintf("not served: %v", missing)
		})
	})

	t.Run("history is encrypted; the codec endpoint decodes it", func(t *testing.T) {
		codecSrv := httptest.NewServer(mustCodecHandler(t))
		defer codecSrv.Close()
		wid := workflows.PropertySyncWorkflowID("100")
		raw := s.cli("workflow", "show", "--workflow-id", wid, "-o", "json")
		for _, secret := range []string{"Dana", "Movein", "dana.movein@example.com"} {
			if strings.Contains(raw, secret) || strings.Contains(payloadTexts(raw), secret) {
				t.Errorf("history shows %q in clear text", secret)
			}
		}
		if !strings.Contains(raw, "binary/encrypted") && !strings.Contains(raw, base64.StdEncoding.EncodeToString([]byte("binary/encrypted"))) {
			t.Errorf("history payloads are not marked encrypted")
		}
		decoded := s.cli("workflow", "show", "--workflow-id", wid, "-o", "json", "--codec-endpoint", codecSrv.URL)
		if !strings.Contains(decoded, "Dana M.") && !strings.Contains(payloadTexts(decoded), "Dana M.") {
			t.Errorf("decoded history does not show the resident's reduced name:\n%s", tail(decoded, 1500))
		}
	})
}

func mustCodecHandler(t *testing.T) http.Handler {
	t.Helper()
	c, err := codec.NewCodec(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return codec.NewHTTPHandler(c)
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}
