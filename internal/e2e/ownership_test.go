package e2e

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/entratasim"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
	"github.com/entrata-brivo/entrata-brivo/workflows"
)

// tagField is the Brivo custom field that lists a user's managing properties.
const tagField = "Entrata Property"

// TestOwnershipAcrossProperties runs properties 10 and 100 on one Brivo
// account against the strict simulator (create-body customFields ignored,
// cf eq a contains match, omitted credential bounds kept): the two never
// touch each other's residents, a person transferring between them or living
// in both keeps the doors the union of their leases gives, a withdrawn
// notice reopens the window, an idle system sends no write, and a tag
// removed by hand comes back without a new user or invitation.
func TestOwnershipAcrossProperties(t *testing.T) {
	needCLI(t)
	start := time.Now()
	s := startStack(t, sandbox.Options{
		Seed: 11, PropertyIDs: []int{10, 100}, Units: 20, Now: start,
		// The demo times set property 10's access end time, so a lease
		// there ending today ends at a known instant.
		Demo: &sandbox.Demo{MoveInAfter: 115 * time.Second, MoveOutAfter: 125 * time.Second},
	}, map[string]string{"SYNC_AUDIT_INTERVAL": "15s"})
	endA := s.sb.Demo.MoveOut.At // property 10's access end time, today
	rep := s.discover()
	if len(rep.Started) != 2 {
		t.Fatalf("discovery %+v: want properties 10 and 100 started", rep)
	}
	s.converged(90 * time.Second)
	s.notHeld(t, "10", "100")

	p := s.sb.Entrata.Portfolio()
	single := func(status entrata.LeaseStatus) func(entrata.Lease) bool {
		return func(l entrata.Lease) bool {
			return l.Status == status && l.MoveOutDate.IsZero() && len(l.Customers) == 1 && l.Customers[0].Status == "Current"
		}
	}
	leaseP := findLease(t, p, "10", single(entrata.LeaseCurrent))  // transfers from 10 to 100, entered a day late
	leaseQ := findLease(t, p, "100", single(entrata.LeaseCurrent)) // lives in 100 and, for a while, in 10
	custP, custQ := leaseP.Customers[0].ID, leaseQ.Customers[0].ID
	extP, extQ := access.ExternalID(custP), access.ExternalID(custQ)
	siteA, siteB := s.site("10"), s.site("100")

	t.Run("tags are exact: 10 never lists 100's residents", func(t *testing.T) {
		for _, u := range s.sb.Brivo.Users() {
			if !access.Owned(u.ExternalID) {
				continue
			}
			tag := s.sb.Brivo.CustomFieldValue(u.ID, tagField)
			if tag != "10" && tag != "100" {
				t.Fatalf("%s has tag %q; want exactly 10 or 100 before anyone lives in both", u.ExternalID, tag)
			}
		}
	})

	// Q also rents at property 10, a lease ending today at endA; P's lease
	// at 10 ends yesterday (the move-out is recorded, the new lease is not
	// entered yet).
	denver := siteLocation(t, siteA)
	chicago := siteLocation(t, siteB)
	yesterdayA := entrata.DateOf(time.Now().In(denver)).AddDays(-1)
	if err := s.sb.Entrata.UpsertLease("10", entrata.Lease{
		ID: "7100001", PropertyID: "10", Status: entrata.LeaseNotice, UnitID: vacantUnit(t, p, "10", leaseP.UnitID).ID,
		MoveInDate: entrata.DateOf(time.Now().In(denver)).AddDays(-30), MoveOutDate: entrata.DateOf(endA.In(denver)),
		Customers: []entrata.Customer{{ID: custQ, Type: "Primary", Relationship: "Primary", Status: "Current",
			FirstName: leaseQ.Customers[0].FirstName, LastName: leaseQ.Customers[0].LastName, Email: leaseQ.Customers[0].Email}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.sb.Entrata.MoveOut("10", leaseP.ID, yesterdayA); err != nil {
		t.Fatal(err)
	}
	s.eventually("property 10 suspends P and adds Q", 60*time.Second, func() (bool, string) {
		up, uq := mustUser(t, s, custP), mustUser(t, s, custQ)
		tagQ := s.sb.Brivo.CustomFieldValue(uq.ID, tagField)
		return up.Suspended && contains(uq.Groups, siteA.BuildingGroups[0]) && tagQ == ",10,100,",
			fmt.Sprintf("P suspended=%t; Q groups=%v tag=%q", up.Suspended, uq.Groups, tagQ)
	})

	t.Run("idle: two polls and two audits send no write", func(t *testing.T) {
		grants0, revocations0 := s.metricSum(t, "entrata_brivo_grants_total"), s.metricSum(t, "entrata_brivo_revocations_total")
		s.sb.Brivo.ResetCalls()
		s.waitCycles(t, []string{"10", "100"}, 2, 2, 90*time.Second)
		if w := writeCalls(s.sb.Brivo.Calls()); len(w) > 0 {
			t.Fatalf("Brivo write calls while nothing changed: %v", w)
		}
		g, r := s.metricSum(t, "entrata_brivo_grants_total")-grants0, s.metricSum(t, "entrata_brivo_revocations_total")-revocations0
		if g != 0 || r != 0 {
			t.Fatalf("grants %v, revocations %v counted while nothing changed; want 0 and 0", g, r)
		}
		if n := s.metricSum(t, `entrata_brivo_brivo_calls_total{method="GET",outcome="ok",path="/users/{id}/credentials",purpose="audit-read"`); n == 0 {
			t.Fatal("no audit-read calls counted by purpose")
		}
		s.notHeld(t, "10", "100")
		if out := s.starter(t, "status", "10"); !strings.Contains(out, `"oldestUnverifiedAge"`) {
			t.Fatalf("starter status shows no oldest unverified record's age:\n%s", out)
		}
		if n := s.metricSum(t, `entrata_brivo_oldest_unverified_seconds{property="100"}`); n <= 0 || n > 60 {
			t.Fatalf("oldest unverified record of property 100: %v s; want within the 15 s audit interval plus an apply", n)
		}
	})

	t.Run("tag removed by hand is put back without a new user or invitation", func(t *testing.T) {
		u := activeResidentOnly(t, s, "100", extQ)
		if err := s.sb.Brivo.ManualSetCustomField(u.ID, tagField, ""); err != nil {
			t.Fatal(err)
		}
		s.sb.Brivo.ResetCalls()
		s.eventually("the next audit puts the tag back", 60*time.Second, func() (bool, string) {
			v := s.sb.Brivo.CustomFieldValue(u.ID, tagField)
			return v == "100", fmt.Sprintf("tag %q", v)
		})
		calls := s.sb.Brivo.Calls()
		if calls["POST /users"] != 0 || calls["POST /users/{id}/credentials/digital-invitations"] != 0 {
			t.Fatalf("tag repair created a user or sent an invitation: %v", writeCalls(calls))
		}
		if again := mustUser(t, s, strings.TrimPrefix(u.ExternalID, access.Prefix)); again.ID != u.ID {
			t.Fatalf("user recreated: id %d, was %d", again.ID, u.ID)
		}
		st, err := s.status("100")
		if err != nil || st.AuditUnlisted != 1 {
			t.Fatalf("status after the blind audit: auditUnlisted=%d (%v); want 1", st.AuditUnlisted, err)
		}
	})

	t.Run("withdrawn notice reopens the window with the same credential", func(t *testing.T) {
		l := findLease(t, s.sb.Entrata.Portfolio(), "100", func(l entrata.Lease) bool {
			return single(entrata.LeaseCurrent)(l) && l.ID != leaseQ.ID
		})
		cust := l.Customers[0].ID
		if err := s.sb.Entrata.GiveNotice("100", l.ID, entrata.DateOf(time.Now().In(chicago)).AddDays(20)); err != nil {
			t.Fatal(err)
		}
		var credID int64
		s.eventually("the notice ends the window", 40*time.Second, func() (bool, string) {
			u := mustUser(t, s, cust)
			if len(u.Credentials) != 1 || u.Credentials[0].EffectiveTo == nil {
				return false, fmt.Sprintf("credentials %+v", u.Credentials)
			}
			credID = u.Credentials[0].ID
			return true, ""
		})
		if err := s.sb.Entrata.WithdrawNotice("100", l.ID); err != nil {
			t.Fatal(err)
		}
		withdrawn := time.Now()
		s.eventually("within one poll the window is open-ended again", 25*time.Second, func() (bool, string) {
			u := mustUser(t, s, cust)
			ok := len(u.Credentials) == 1 && u.Credentials[0].ID == credID && u.Credentials[0].EffectiveTo == nil
			return ok, fmt.Sprintf("credentials %+v", u.Credentials)
		})
		t.Logf("window reopened %s after the notice was withdrawn", time.Since(withdrawn).Round(time.Second))
	})

	// P's new lease at 100, entered a day late: Current since yesterday.
	vacantB := vacantUnit(t, s.sb.Entrata.Portfolio(), "100", leaseQ.UnitID)
	yesterdayB := entrata.DateOf(time.Now().In(chicago)).AddDays(-1)
	if err := s.sb.Entrata.UpsertLease("100", entrata.Lease{
		ID: "7100002", PropertyID: "100", Status: entrata.LeaseCurrent, UnitID: vacantB.ID, MoveInDate: yesterdayB,
		Customers: []entrata.Customer{{ID: custP, Type: "Primary", Relationship: "Primary", Status: "Current",
			FirstName: leaseP.Customers[0].FirstName, LastName: leaseP.Customers[0].LastName,
			Email: leaseP.Customers[0].Email, MoveInDate: yesterdayB}},
	}); err != nil {
		t.Fatal(err)
	}
	entered := time.Now()
	var reopened time.Time
	t.Run("transfer entered a day late: B's doors within one poll, never suspended again", func(t *testing.T) {
		unitB := siteB.UnitGroups[vacantB.Number]
		s.eventually("P opens B's doors", 25*time.Second, func() (bool, string) {
			u := mustUser(t, s, custP)
			return !u.Suspended && contains(u.Groups, unitB) && contains(u.Groups, siteB.BuildingGroups[0]),
				fmt.Sprintf("suspended=%t groups=%v", u.Suspended, u.Groups)
		})
		reopened = time.Now()
		t.Logf("P reinstated %s after Entrata showed the new lease", reopened.Sub(entered).Round(time.Second))
		if u := mustUser(t, s, custP); contains(u.Groups, siteA.UnitGroups[unitNumber(t, p, "10", leaseP.UnitID)]) {
			t.Fatalf("P still in A's unit group: %v", u.Groups)
		}
	})

	t.Run("a person living in both keeps B's doors when A's lease ends, and loses A's", func(t *testing.T) {
		wait := time.Until(endA.Add(15 * time.Second))
		if wait < 0 {
			t.Fatalf("the scenario ran late: property 10's end instant %s has passed", endA)
		}
		time.Sleep(wait)
		r := s.personReferee(t, extQ, endA.Add(-5*time.Second), time.Now())
		if r.UnderGrant != 0 || r.OverGrant > 2*time.Second {
			t.Fatalf("Q around A's move-out: over %s (≤ 2 s: the timer removes A's groups, the shared credential stays open), under %s: %v",
				r.OverGrant, r.UnderGrant, firstPeople(r))
		}
		if u := mustUser(t, s, custQ); u.Suspended || contains(u.Groups, siteA.BuildingGroups[0]) {
			t.Fatalf("after A's move-out Q is suspended=%t with groups %v; want active, without A's groups", u.Suspended, u.Groups)
		}
		t.Logf("Q around A's move-out: over %s, under 0", r.OverGrant)
	})

	t.Run("when both leases end the person is suspended once", func(t *testing.T) {
		if err := s.sb.Entrata.MoveOut("100", leaseQ.ID, yesterdayB); err != nil {
			t.Fatal(err)
		}
		s.eventually("Q suspended", 30*time.Second, func() (bool, string) {
			u := mustUser(t, s, custQ)
			return u.Suspended, fmt.Sprintf("groups %v", u.Groups)
		})
		s.waitCycles(t, []string{"10", "100"}, 1, 1, 60*time.Second)
		if n := suspensions(s, mustUser(t, s, custQ).ID, start); n != 1 {
			t.Fatalf("Q suspended %d times; want once", n)
		}
	})

	t.Run("P was never suspended after the new lease reached Brivo", func(t *testing.T) {
		id := mustUser(t, s, custP).ID
		for _, ev := range s.sb.Brivo.Timeline() {
			if ev.UserID == id && ev.Kind == "user.suspended" && ev.Detail == "true" && ev.Time.After(reopened) {
				t.Fatalf("P suspended again at %s", ev.Time)
			}
		}
		r := s.personReferee(t, extP, reopened, time.Now())
		if r.OverGrant != 0 || r.UnderGrant != 0 {
			var evs []string
			for _, ev := range s.sb.Brivo.Timeline() {
				if ev.UserID == id && ev.Time.After(entered) {
					evs = append(evs, fmt.Sprintf("%s %s %s console=%t", ev.Time.Format("15:04:05.000"), ev.Kind, ev.Detail, ev.Console))
				}
			}
			t.Fatalf("P since reinstatement (%s): over %s under %s: %+v\nP's events since the new lease:\n%s",
				reopened.Format("15:04:05.000"), r.OverGrant, r.UnderGrant, r.ByPerson[extP], strings.Join(evs, "\n"))
		}
		s.notHeld(t, "10", "100")
	})

	t.Run("no resident of one property was touched by the other", func(t *testing.T) {
		groupsOf := map[string]map[int64]bool{}
		for _, id := range []string{"10", "100"} {
			ps := s.site(id)
			groupsOf[id] = map[int64]bool{}
			for _, g := range ps.BuildingGroups {
				groupsOf[id][g] = true
			}
			for _, g := range ps.UnitGroups {
				groupsOf[id][g] = true
			}
		}
		for _, u := range s.sb.Brivo.Users() {
			if !access.Owned(u.ExternalID) || u.ExternalID == extP || u.ExternalID == extQ {
				continue
			}
			tag := s.sb.Brivo.CustomFieldValue(u.ID, tagField)
			other := map[string]string{"10": "100", "100": "10"}[tag]
			if other == "" {
				t.Fatalf("%s tag %q; want exactly 10 or 100", u.ExternalID, tag)
			}
			for _, g := range u.Groups {
				if groupsOf[other][g] {
					t.Fatalf("%s of property %s is in group %d of property %s", u.ExternalID, tag, g, other)
				}
			}
			for _, ev := range s.sb.Brivo.Timeline() {
				if ev.UserID == u.ID && ev.Kind == "group.member-added" && groupsOf[other][groupID(ev.Detail)] {
					t.Fatalf("%s of property %s was added to %s's group: %+v", u.ExternalID, tag, other, ev)
				}
			}
		}
	})
}

// groupID reads the id from an event detail "group <id>".
func groupID(detail string) int64 {
	id, _ := strconv.ParseInt(strings.TrimPrefix(detail, "group "), 10, 64)
	return id
}

// notHeld fails when a property's guard holds revocations.
func (s *stack) notHeld(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		st, err := s.status(id)
		if err != nil {
			t.Fatal(err)
		}
		if st.State == workflows.StateHeld || st.HeldRevocation != 0 {
			t.Fatalf("property %s is held: %+v", id, st)
		}
	}
}

func (s *stack) site(id string) sandbox.PropertySite {
	for _, ps := range s.sb.Sites {
		if ps.PropertyID == id {
			return ps
		}
	}
	s.t.Fatalf("no site for property %s", id)
	return sandbox.PropertySite{}
}

func siteLocation(t *testing.T, ps sandbox.PropertySite) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(ps.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// unitNumber returns the number of a unit of the portfolio.
func unitNumber(t *testing.T, p entratasim.Portfolio, propertyID, unitID string) string {
	t.Helper()
	for _, pd := range p.Properties {
		for _, u := range pd.Units {
			if pd.Property.ID == propertyID && u.ID == unitID {
				return u.Number
			}
		}
	}
	t.Fatalf("no unit %s at property %s", unitID, propertyID)
	return ""
}

// activeResidentOnly returns an active resident of the property other than
// the excluded external id.
func activeResidentOnly(t *testing.T, s *stack, propertyID, exclude string) brivosim.UserState {
	t.Helper()
	site := s.site(propertyID)
	for _, u := range s.sb.Brivo.Users() {
		if access.Owned(u.ExternalID) && u.ExternalID != exclude &&
			s.sb.Brivo.CustomFieldValue(u.ID, tagField) == propertyID && s.sb.Brivo.CanOpen(u.ExternalID, site.EntranceAP, time.Now()) {
			return u
		}
	}
	t.Fatalf("no active resident at %s", propertyID)
	return brivosim.UserState{}
}

// personReferee is the referee restricted to one person.
func (s *stack) personReferee(t *testing.T, ext string, from, to time.Time) brivosim.Report {
	t.Helper()
	want, err := s.sb.Expected(from, to)
	if err != nil {
		t.Fatal(err)
	}
	got := s.sb.Brivo.PopulationAccess(from, to)
	return brivosim.CompareAccess(map[string]map[int64][]brivosim.Interval{ext: got[ext]},
		map[string]map[int64][]brivosim.Interval{ext: want[ext]})
}

// suspensions counts the times a user was suspended since from.
func suspensions(s *stack, userID int64, from time.Time) int {
	n := 0
	for _, ev := range s.sb.Brivo.Timeline() {
		if ev.UserID == userID && ev.Kind == "user.suspended" && ev.Detail == "true" && ev.Time.After(from) {
			n++
		}
	}
	return n
}

// writeCalls returns the simulator's POST/PUT/PATCH/DELETE API calls (token
// requests excluded).
func writeCalls(calls map[string]int) map[string]int {
	out := map[string]int{}
	for k, n := range calls {
		method, path, _ := strings.Cut(k, " ")
		if n > 0 && method != "GET" && path != "/oauth/token" {
			out[k] = n
		}
	}
	return out
}

// waitCycles waits until every property has fetched at least polls times and
// audited at least audits times, as its status shows.
func (s *stack) waitCycles(t *testing.T, ids []string, polls, audits int, timeout time.Duration) {
	t.Helper()
	type seen struct{ fetch, audit map[time.Time]bool }
	first := map[string]workflows.Status{}
	got := map[string]*seen{}
	for _, id := range ids {
		st, err := s.status(id)
		if err != nil {
			t.Fatal(err)
		}
		first[id] = st
		got[id] = &seen{fetch: map[time.Time]bool{}, audit: map[time.Time]bool{}}
	}
	s.eventually(fmt.Sprintf("%d polls and %d audits", polls, audits), timeout, func() (bool, string) {
		done := true
		var why []string
		for _, id := range ids {
			st, err := s.status(id)
			if err != nil {
				return false, err.Error()
			}
			g := got[id]
			if st.LastFetch != nil && (first[id].LastFetch == nil || st.LastFetch.After(*first[id].LastFetch)) {
				g.fetch[*st.LastFetch] = true
			}
			if st.LastAudit != nil && (first[id].LastAudit == nil || st.LastAudit.After(*first[id].LastAudit)) {
				g.audit[*st.LastAudit] = true
			}
			if len(g.fetch) < polls || len(g.audit) < audits {
				done = false
				why = append(why, fmt.Sprintf("%s: %d polls %d audits", id, len(g.fetch), len(g.audit)))
			}
		}
		return done, strings.Join(why, "; ")
	})
}

// metricSum adds up the worker's metric series whose line starts with
// prefix (a metric name, or a name with the start of its labels).
func (s *stack) metricSum(t *testing.T, prefix string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + envValue(s.env, "METRICS_ADDR") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sum := 0.0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		rest := line[len(prefix):]
		if !strings.HasPrefix(rest, "{") && !strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, ",") && !strings.HasPrefix(rest, "}") {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err == nil {
			sum += v
		}
	}
	return sum
}
