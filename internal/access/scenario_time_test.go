package access

import (
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

func withIntervals(l entrata.Lease, ivs ...entrata.LeaseInterval) entrata.Lease {
	l.Intervals = ivs
	return l
}

func TestScenariosWindows(t *testing.T) {
	renewal := entrata.LeaseInterval{ID: "I2", StartDate: date("2027-03-01"), EndDate: date("2028-02-29"), TypeID: entrata.IntervalRenewal}
	first := entrata.LeaseInterval{ID: "I1", StartDate: date("2026-03-01"), EndDate: date("2026-05-31"), TypeID: entrata.IntervalApplication}
	runScenarios(t, []scenario{
		{name: "customer move-in overrides the lease's",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-02-01", "", custDates(primary("1"), "2026-03-01", ""))},
			want:   map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001)}},
		{name: "customer move-out overrides the lease's",
			leases: []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-03-01", "2026-07-31", custDates(primary("1"), "", "2026-06-30"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, jun30), 5001, 6001)}},
		{name: "lease and interval end dates never end access (holdover)",
			leases: []entrata.Lease{withIntervals(lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1")), first)},
			want:   map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001)}},
		{name: "month-to-month lease is open-ended",
			leases: []entrata.Lease{func() entrata.Lease {
				l := withIntervals(lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1")), first)
				l.IsMonthToMonth = true
				return l
			}()},
			want: map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001)}},
		{name: "notice sets the end to the move-out date",
			leases: []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-03-01", "2026-06-30", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, jun30), 5001, 6001)}},
		{name: "notice withdrawn (move-out cleared) reopens the window",
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001)}},
		{name: "renewal that clears the move-out keeps the identity and is open-ended",
			leases: []entrata.Lease{func() entrata.Lease {
				l := withIntervals(lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1")), first, renewal)
				l.SubStatus = "Renewed"
				return l
			}()},
			want: map[string]string{"entrata-1": same(sp(mar1, open), 5001, 6001)}},
		{name: "early move-out moves the end earlier",
			leases: []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-03-01", "2026-04-15", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, "2026-04-15 16:00:00 MDT"), 5001, 6001)}},
		{name: "same-day move-in and move-out is 10:00 to 16:00",
			leases: []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-03-01", "2026-03-01", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, "2026-03-01 16:00:00 MST"), 5001, 6001)}},
		{name: "DST spring-forward day: 10:00 start is 10:00 MDT",
			leases: []entrata.Lease{lease("L1", entrata.LeaseFuture, "U1", "2026-03-08", "", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp("2026-03-08 10:00:00 MDT", open), 5001, 6001)},
			check: func(t *testing.T, r Result) {
				if got := r.Entitlements[0].Window.From.UTC(); !got.Equal(time.Date(2026, 3, 8, 16, 0, 0, 0, time.UTC)) {
					t.Errorf("from = %v, want 16:00 UTC", got)
				}
			}},
		{name: "DST spring-forward day: 02:30 start moves forward by the gap",
			policy: func(p *PropertyPolicy) { p.Start = ClockTime{Hour: 2, Minute: 30} },
			leases: []entrata.Lease{lease("L1", entrata.LeaseFuture, "U1", "2026-03-08", "", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp("2026-03-08 03:30:00 MDT", open), 5001, 6001)},
			check: func(t *testing.T, r Result) {
				if got := r.Entitlements[0].Window.From.UTC(); !got.Equal(time.Date(2026, 3, 8, 9, 30, 0, 0, time.UTC)) {
					t.Errorf("from = %v, want 09:30 UTC", got)
				}
			}},
		{name: "DST spring-forward day: 16:00 move-out is 16:00 MDT",
			leases: []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-03-01", "2026-03-08", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, "2026-03-08 16:00:00 MDT"), 5001, 6001)}},
		{name: "DST fall-back day: 16:00 move-out is 16:00 MST",
			leases: []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-10-01", "2026-11-01", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp("2026-10-01 10:00:00 MDT", "2026-11-01 16:00:00 MST"), 5001, 6001)},
			check: func(t *testing.T, r Result) {
				if got := r.Entitlements[0].Window.To.UTC(); !got.Equal(time.Date(2026, 11, 1, 23, 0, 0, 0, time.UTC)) {
					t.Errorf("to = %v, want 23:00 UTC", got)
				}
			}},
		{name: "DST fall-back day: ambiguous 01:30 start is its first occurrence",
			policy: func(p *PropertyPolicy) { p.Start = ClockTime{Hour: 1, Minute: 30} },
			leases: []entrata.Lease{lease("L1", entrata.LeaseFuture, "U1", "2026-11-01", "", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp("2026-11-01 01:30:00 MDT", open), 5001, 6001)},
			check: func(t *testing.T, r Result) {
				if got := r.Entitlements[0].Window.From.UTC(); !got.Equal(time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC)) {
					t.Errorf("from = %v, want 07:30 UTC", got)
				}
			}},
		{name: "window across DST keeps wall-clock times",
			leases: []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-03-01", "2026-03-31", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, "2026-03-31 16:00:00 MDT"), 5001, 6001)},
			check: func(t *testing.T, r Result) {
				w := r.Entitlements[0].Window
				if d := w.To.Sub(w.From); d != 30*24*time.Hour+5*time.Hour {
					t.Errorf("duration = %v, want 30 days 5h (one hour lost to DST)", d)
				}
			}},
		{name: "property in another zone than the default",
			policy: func(p *PropertyPolicy) { p.Location = chicago },
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp("2026-03-01 10:00:00 CST", open), 5001, 6001)},
			check: func(t *testing.T, r Result) {
				if got := r.Entitlements[0].Window.From.UTC(); !got.Equal(time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC)) {
					t.Errorf("from = %v, want 16:00 UTC", got)
				}
			}},
		{name: "per-property times",
			policy: func(p *PropertyPolicy) { p.Start, p.End = ClockTime{Hour: 9}, ClockTime{Hour: 17} },
			leases: []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-03-01", "2026-06-30", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp("2026-03-01 09:00:00 MST", "2026-06-30 17:00:00 MDT"), 5001, 6001)}},
		{name: "times with seconds",
			policy: func(p *PropertyPolicy) { p.Start = ClockTime{Hour: 10, Second: 30} },
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp("2026-03-01 10:00:30 MST", open), 5001, 6001)}},
		{name: "several building groups each get the window",
			policy: func(p *PropertyPolicy) { p.BuildingGroupIDs = []int64{5001, 5002} },
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, open), 5001, 5002, 6001)}},
		{name: "no building groups: unit group only",
			policy: func(p *PropertyPolicy) { p.BuildingGroupIDs = nil },
			leases: []entrata.Lease{lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1"))},
			want:   map[string]string{"entrata-1": same(sp(mar1, open), 6001)}},
		{name: "names come from the most recent lease",
			leases: []entrata.Lease{
				lease("L1", entrata.LeasePast, "U1", "2025-12-01", "2026-01-31", primary("1")),
				lease("L2", entrata.LeaseCurrent, "U2", "2026-03-01", "", func() entrata.Customer {
					c := primary("1")
					c.LastName = "Married"
					return c
				}()),
			},
			want: map[string]string{"entrata-1": ent(sp(dec1, open), gr(5001, sp(dec1, jan31)), gr(5001, sp(mar1, open)),
				gr(6001, sp(dec1, jan31)), gr(6002, sp(mar1, open)))},
			check: func(t *testing.T, r Result) {
				if e := r.Entitlements[0]; e.LastName != "Married" || len(e.LeaseIDs) != 2 {
					t.Errorf("entitlement = %+v, want the new name and both leases", e)
				}
			}},
	})
}
