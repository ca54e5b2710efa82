package access

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// sp renders a local span the way describe does.
func sp(from, to string) string { return from + " → " + to }

// same is an entitlement whose window and grants all share one span.
func same(span string, groups ...int64) string {
	parts := []string{"window " + span}
	for _, g := range groups {
		parts = append(parts, fmt.Sprintf("%d %s", g, span))
	}
	return strings.Join(parts, "; ")
}

// ent is an entitlement with a window and explicit grants ("6001 span").
func ent(window string, grants ...string) string {
	return strings.Join(append([]string{"window " + window}, grants...), "; ")
}

func gr(id int64, span string) string { return fmt.Sprintf("%d %s", id, span) }

const (
	open  = "open"
	mar1  = "2026-03-01 10:00:00 MST"
	apr1  = "2026-04-01 10:00:00 MDT"
	may1  = "2026-05-01 10:00:00 MDT"
	jun30 = "2026-06-30 16:00:00 MDT"
	jan31 = "2026-01-31 16:00:00 MST"
	dec1  = "2025-12-01 10:00:00 MST"
)

type scenario struct {
	name        string
	policy      func(p *PropertyPolicy)
	groups      GroupDirectory
	units       []entrata.Unit // testUnits when nil
	leases      []entrata.Lease
	want        map[string]string // external id → describe()
	untouchable []string
	problems    []string // one substring per expected problem, in order
	unmapped    []string
	check       func(t *testing.T, r Result)
}

func runScenarios(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			p := testPolicy()
			if sc.policy != nil {
				sc.policy(&p)
			}
			units := testUnits
			if sc.units != nil {
				units = sc.units
			}
			r := Entitle(p, units, sc.leases, sc.groups)
			got := map[string]string{}
			for _, e := range r.Entitlements {
				got[e.ExternalID] = describe(e, p.Location)
			}
			for ext, want := range sc.want {
				if got[ext] != want {
					t.Errorf("%s:\n got  %s\n want %s", ext, got[ext], want)
				}
			}
			for ext := range got {
				if _, ok := sc.want[ext]; !ok {
					t.Errorf("unexpected entitlement %s: %s", ext, got[ext])
				}
			}
			if !slices.Equal(r.Untouchable, sc.untouchable) {
				t.Errorf("untouchable = %v, want %v", r.Untouchable, sc.untouchable)
			}
			if !slices.Equal(r.UnmappedUnits, sc.unmapped) {
				t.Errorf("unmapped = %v, want %v", r.UnmappedUnits, sc.unmapped)
			}
			if len(r.Problems) != len(sc.problems) {
				t.Errorf("problems = %v, want %d matching %q", r.Problems, len(sc.problems), sc.problems)
			} else {
				for i, want := range sc.problems {
					if s := r.Problems[i].String(); !strings.Contains(s, want) {
						t.Errorf("problem %d = %q, want it to contain %q", i, s, want)
					}
				}
			}
			for _, pr := range r.Problems {
				if s := pr.String(); strings.Contains(s, "First") || strings.Contains(s, "Last") || strings.Contains(s, "@") {
					t.Errorf("problem leaks personal data: %q", s)
				}
			}
			if sc.check != nil {
				sc.check(t, r)
			}
		})
	}
}

func TestScenariosWho(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "primary on current lease is open-ended",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001)}},
		{name: "co-applicant and occupant get access",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "",
				primary("1"), cust("2", "Co-Applicant", "Current"), cust("3", "Occupant", "Current"))},
			want: map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001),
				"entrata-2": same(sp(mar1, open), 5001, 6001), "entrata-3": same(sp(mar1, open), 5001, 6001)}},
		{name: "other non-guarantor type is a resident",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", cust("4", "Roommate", "Current"))},
			want:   map[string]string{"entrata-4": same(sp(mar1, open), 5001, 6001)}},
		{name: "guarantor never gets access",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "",
				primary("1"), cust("9", "Guarantor", "Current"))},
			want: map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001)}},
		{name: "guarantor type is case-insensitive",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", cust("9", " GUARANTOR ", "Current"))},
			want:   map[string]string{}},
		{name: "guarantor who is an occupant on another lease gets that lease only",
			leases: []entrata.Lease{
				lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"), cust("9", "Guarantor", "Current")),
				lease("L2", entrata.LeaseCurrent, "U2", "2026-04-01", "", cust("9", "Occupant", "Current")),
			},
			want: map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001),
				"entrata-9": same(sp(apr1, open), 5001, 6002)},
			check: func(t *testing.T, r Result) {
				if e, _ := findEnt(r, "entrata-9"); !slices.Equal(e.LeaseIDs, []string{"L2"}) {
					t.Errorf("lease ids = %v, want [L2]", e.LeaseIDs)
				}
			}},
		{name: "cancelled customer on a current lease gets nothing",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "",
				primary("1"), cust("2", "Co-Applicant", "Cancelled"))},
			want: map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001)}},
		{name: "cancelled status is case-insensitive",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", cust("2", "Primary", "CANCELLED"))},
			want:   map[string]string{}},
		{name: "applicant lease never grants",
			leases: []entrata.Lease{lease("L1", entrata.LeaseApplicant, "U1", "2026-03-01", "", primary("1"))},
			want:   map[string]string{}},
		{name: "cancelled lease never grants, even malformed",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCancelled, "NOPE", "", "", primary("1"))},
			want:   map[string]string{}},
		{name: "future lease is entitled from its move-in",
			leases: []entrata.Lease{lease("L1", entrata.LeaseFuture, "U1", "2026-05-01", "", cust("1", "Primary", "Future"))},
			want:   map[string]string{"entrata-1": same(sp(may1, open), 5001, 6001)}},
		{name: "notice customer status grants until move-out",
			leases: []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-03-01", "2026-06-30", cust("1", "Primary", "Notice"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, jun30), 5001, 6001)}},
		{name: "empty customer status follows the lease",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", cust("1", "Primary", ""))},
			want:   map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001)}},
		{name: "future customer on a current lease starts at their own move-in",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "",
				primary("1"), custDates(cust("2", "Occupant", "Future"), "2026-05-01", ""))},
			want: map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001),
				"entrata-2": same(sp(may1, open), 5001, 6001)}},
		{name: "past lease with a move-out yields an ended window",
			leases: []entrata.Lease{lease("L1", entrata.LeasePast, "U1", "2025-12-01", "2026-01-31", cust("1", "Primary", "Past"))},
			want:   map[string]string{"entrata-1": same(sp(dec1, jan31), 5001, 6001)},
			check: func(t *testing.T, r Result) {
				u, _ := findUser(DesiredAt(r, at(denver, "2026-03-01 00:00")), "entrata-1")
				if !u.Suspended || len(u.GroupIDs) != 0 {
					t.Errorf("former resident desired %+v, want suspended without groups", u)
				}
			}},
		{name: "past resident with no move-out date gets nothing and no problem",
			leases: []entrata.Lease{lease("L1", entrata.LeasePast, "U1", "2025-12-01", "", cust("1", "Primary", "Past"))},
			want:   map[string]string{}},
		{name: "past lease without move-in but with move-out yields an empty window",
			leases: []entrata.Lease{lease("L1", entrata.LeasePast, "U1", "", "2026-01-31", cust("1", "Primary", "Past"))},
			want:   map[string]string{"entrata-1": "window " + sp(jan31, jan31)}},
		{name: "past customer on a current lease ends at their own move-out",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2025-12-01", "",
				primary("1"), custDates(cust("2", "Occupant", "Past"), "", "2026-01-31"))},
			want: map[string]string{"entrata-1": same(sp(dec1, open), 5001, 6001),
				"entrata-2": same(sp(dec1, jan31), 5001, 6001)}},
		{name: "past customer on a current lease without move-out gets nothing",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2025-12-01", "",
				primary("1"), cust("2", "Occupant", "Past"))},
			want: map[string]string{"entrata-1": same(sp(dec1, open), 5001, 6001)}},
		{name: "empty input gives an empty result",
			want: map[string]string{}},
	})
}
