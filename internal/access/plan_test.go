package access

import (
	"slices"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

func TestDesiredAt(t *testing.T) {
	r := Entitle(testPolicy(), testUnits, []entrata.Lease{
		lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1")),
		transfer(lease("L2", entrata.LeaseFuture, "U2", "2026-06-01", "2026-08-31", primary("1")), "L1", "2026-06-01"),
		lease("L3", entrata.LeaseCurrent, "U99", "2026-03-01", "", primary("3")),
	}, nil)
	end := at(denver, "2026-08-31 16:00")
	tests := []struct {
		name      string
		now       string
		groups    []int64
		suspended bool
	}{
		{"before move-in: pre-provisioned with the groups of the start", "2026-02-01 00:00", []int64{5001, 6001}, false},
		{"at move-in", "2026-03-01 10:00", []int64{5001, 6001}, false},
		{"transfer day overlap", "2026-06-01 12:00", []int64{5001, 6001, 6002}, false},
		{"after transfer", "2026-07-01 12:00", []int64{5001, 6002}, false},
		{"one second before move-out", "2026-08-31 15:59:59", []int64{5001, 6002}, false},
		{"at move-out", "2026-08-31 16:00", nil, true},
		{"long after move-out", "2027-01-01 00:00", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := DesiredAt(r, at(denver, tt.now))
			u, ok := findUser(d, "entrata-1")
			if !ok || !slices.Equal(u.GroupIDs, tt.groups) || u.Suspended != tt.suspended {
				t.Errorf("got %+v, want groups %v suspended %v", u, tt.groups, tt.suspended)
			}
			if !u.Window.From.Equal(at(denver, "2026-03-01 10:00")) || u.Window.To == nil || !u.Window.To.Equal(end) {
				t.Errorf("credential window %v, want the overall window", u.Window)
			}
			if !slices.Equal(d.Untouchable, []string{"entrata-3"}) {
				t.Errorf("untouchable %v", d.Untouchable)
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	r := Entitle(testPolicy(), testUnits, []entrata.Lease{
		lease("L1", entrata.LeaseCurrent, "U1", "2026-03-01", "", primary("1")),
		transfer(lease("L2", entrata.LeaseFuture, "U2", "2026-06-01", "2026-08-31", primary("1")), "L1", "2026-06-01"),
		lease("L3", entrata.LeaseFuture, "U3", "2026-06-01", "", primary("2")),
	}, nil)
	got := Transitions(r, at(denver, "2026-04-01 00:00"))
	want := []Transition{
		{at(denver, "2026-06-01 10:00"), "entrata-1", KindGroupAdd, 6002},
		{at(denver, "2026-06-01 10:00"), "entrata-2", KindMoveIn, 0},
		{at(denver, "2026-06-01 16:00"), "entrata-1", KindGroupRemove, 6001},
		{at(denver, "2026-08-31 16:00"), "entrata-1", KindMoveOut, 0},
	}
	if !slices.EqualFunc(got, want, func(a, b Transition) bool { return compareTransitions(a, b) == 0 }) {
		t.Errorf("transitions:\n got  %v\n want %v", got, want)
	}
	if got := Transitions(r, at(denver, "2026-06-01 10:00")); len(got) != 2 {
		t.Errorf("transitions strictly after 10:00 = %v, want 2", got)
	}
	instants := NextInstants(r, at(denver, "2026-04-01 00:00"), 2)
	if !slices.EqualFunc(instants, []time.Time{at(denver, "2026-06-01 10:00"), at(denver, "2026-06-01 16:00")}, time.Time.Equal) {
		t.Errorf("next instants = %v", instants)
	}
	if all := NextInstants(r, at(denver, "2026-04-01 00:00"), 0); len(all) != 3 {
		t.Errorf("all instants = %v, want 3", all)
	}
	if none := NextInstants(r, at(denver, "2027-01-01 00:00"), 5); len(none) != 0 {
		t.Errorf("instants after everything = %v", none)
	}
}

func TestWindowHelpers(t *testing.T) {
	a := at(time.UTC, "2026-01-01 00:00")
	b, c, d := a.Add(time.Hour), a.Add(2*time.Hour), a.Add(3*time.Hour)
	got := mergeWindows([]Window{{From: c, To: ptr(d)}, {From: a, To: ptr(b)}, {From: b, To: ptr(c)}, {From: d, To: ptr(d)}})
	if len(got) != 1 || !got[0].Equal(Window{From: a, To: ptr(d)}) {
		t.Errorf("adjacent windows not merged: %v", got)
	}
	got = mergeWindows([]Window{{From: a, To: ptr(b)}, {From: c}, {From: d, To: ptr(d.Add(time.Hour))}})
	if len(got) != 2 || got[1].To != nil {
		t.Errorf("open window does not swallow later ones: %v", got)
	}
	w := Window{From: a, To: ptr(b)}
	if !w.Contains(a) || w.Contains(b) || w.Contains(a.Add(-1)) || !(Window{From: a}).Contains(d) {
		t.Error("Contains is not [From, To)")
	}
	if w.String() != "[2026-01-01T00:00:00Z, 2026-01-01T01:00:00Z)" {
		t.Errorf("String = %s", w)
	}
}

func TestFingerprint(t *testing.T) {
	leases := []entrata.Lease{lease("L1", entrata.LeaseNotice, "U1", "2026-03-01", "2026-06-30", primary("1"))}
	a := Entitle(testPolicy(), testUnits, leases, nil)
	b := Entitle(testPolicy(), testUnits, leases, nil)
	if a.Fingerprint() != b.Fingerprint() || len(a.Fingerprint()) != 16 {
		t.Errorf("fingerprints %s %s", a.Fingerprint(), b.Fingerprint())
	}
	leases[0].MoveOutDate = entrata.Date{} // the notice is withdrawn
	if c := Entitle(testPolicy(), testUnits, leases, nil); c.Fingerprint() == a.Fingerprint() {
		t.Error("withdrawing the notice does not change the fingerprint")
	}
}

func TestExternalID(t *testing.T) {
	if ExternalID("17831017") != "entrata-17831017" || !Owned("entrata-1") || Owned("entrata-") || Owned("manual-1") {
		t.Error("identity helpers")
	}
}
