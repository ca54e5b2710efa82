package access

import (
	"slices"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

func TestTagFormatAndParse(t *testing.T) {
	tests := []struct {
		props []string
		want  string
	}{
		{nil, ""},
		{[]string{"10"}, "10"},
		{[]string{"100", "10"}, ",10,100,"},
		{[]string{"9", "100", "10", "10"}, ",9,10,100,"},
	}
	for _, tc := range tests {
		if got := FormatTag(tc.props); got != tc.want {
			t.Errorf("FormatTag(%v) = %q; want %q", tc.props, got, tc.want)
		}
		if got := FormatTag(ParseTag(tc.want)); got != tc.want {
			t.Errorf("round trip of %q = %q", tc.want, got)
		}
	}
	// Property 10's tag never matches property 100 or 210, whatever the filter
	// returned.
	for _, v := range []string{"100", "210", ",100,210,", ",1,100,", "1"} {
		if TagLists(v, "10") {
			t.Errorf("TagLists(%q, 10) = true; property 10 would take another property's user", v)
		}
	}
	for _, v := range []string{"10", ",10,100,", ",9,10,"} {
		if !TagLists(v, "10") {
			t.Errorf("TagLists(%q, 10) = false", v)
		}
	}
	// The delimited token is what the contains filter looks for: it is in
	// every multi-property tag listing 10 and in no tag of another property.
	if tok := TagToken("10"); tok != ",10," {
		t.Fatalf("TagToken = %q", tok)
	}
}

// sharedResult is one resident (customer 1) of property 100 with a lease
// from March 1 to move-out on dates given.
func sharedResult(t *testing.T, in, out string) Result {
	t.Helper()
	r := Entitle(testPolicy(), testUnits, []entrata.Lease{
		lease("L1", entrata.LeaseCurrent, "U1", in, out, cust("1", "Primary", "Current")),
	}, nil)
	if len(r.Entitlements) != 1 {
		t.Fatalf("entitlements %+v", r.Entitlements)
	}
	return r
}

// dn is a Denver wall time.
func dn(s string) time.Time { return at(denver, s) }

func TestDesiredAtSharedKeepsAccountWideStateForTheOtherProperty(t *testing.T) {
	// Property 100's lease ended on March 31; another property entitles the
	// same person from March 30, open-ended.
	r := sharedResult(t, "2026-03-01", "2026-03-31")
	other := Window{From: dn("2026-03-30 10:00")}
	shared := map[string]Shared{"entrata-1": {Windows: []Window{other}}}

	after := DesiredAtShared(r, dn("2026-04-02 12:00"), shared).Users[0]
	if after.Suspended || len(after.GroupIDs) != 0 {
		t.Fatalf("after our move-out: suspended=%t groups=%v; want active with none of our groups", after.Suspended, after.GroupIDs)
	}
	if !after.Window.From.Equal(dn("2026-03-01 10:00")) || after.Window.To != nil {
		t.Fatalf("credential window %v; want the union [our move-in, open)", after.Window)
	}
	before := DesiredAtShared(r, dn("2026-03-15 12:00"), shared).Users[0]
	if !slices.Equal(before.GroupIDs, []int64{5001, 6001}) || before.Suspended {
		t.Fatalf("during our lease: %+v", before)
	}
	// Without the other property the same instant suspends.
	if !DesiredAt(r, dn("2026-04-02 12:00")).Users[0].Suspended {
		t.Fatal("alone, the ended lease must suspend")
	}
}

func TestDesiredAtSharedSuspendsWhenEveryWindowIsOver(t *testing.T) {
	r := sharedResult(t, "2026-03-01", "2026-03-31")
	ended := Window{From: dn("2026-01-01 10:00"), To: ptr(dn("2026-04-10 16:00"))}
	shared := map[string]Shared{"entrata-1": {Windows: []Window{ended}}}
	if u := DesiredAtShared(r, dn("2026-04-05 12:00"), shared).Users[0]; u.Suspended {
		t.Fatal("suspended while the other property still entitles the person")
	}
	u := DesiredAtShared(r, dn("2026-04-10 16:00"), shared).Users[0]
	if !u.Suspended || len(u.GroupIDs) != 0 {
		t.Fatalf("at the last move-out: %+v; want suspended with no groups", u)
	}
	if !u.Window.From.Equal(dn("2026-01-01 10:00")) || !u.Window.To.Equal(dn("2026-04-10 16:00")) {
		t.Fatalf("window %v; want the union", u.Window)
	}
}

func TestDesiredAtSharedDoesNotPreProvisionWhenAnotherPropertyOpensTheCredential(t *testing.T) {
	// A transfer into property 100 on May 1 while the person still lives at
	// the other property: our doors must not open with the shared
	// credential before May 1.
	r := sharedResult(t, "2026-05-01", "")
	other := Window{From: dn("2025-05-01 10:00"), To: ptr(dn("2026-05-01 16:00"))}
	shared := map[string]Shared{"entrata-1": {Windows: []Window{other}}}
	u := DesiredAtShared(r, dn("2026-04-20 12:00"), shared).Users[0]
	if len(u.GroupIDs) != 0 || u.Suspended {
		t.Fatalf("before our move-in: %+v; want no groups of ours yet, not suspended", u)
	}
	if !u.Window.From.Equal(dn("2025-05-01 10:00")) || u.Window.To != nil {
		t.Fatalf("window %v; want the union", u.Window)
	}
	if u := DesiredAtShared(r, dn("2026-05-01 10:00"), shared).Users[0]; !slices.Equal(u.GroupIDs, []int64{5001, 6001}) {
		t.Fatalf("at our move-in: groups %v", u.GroupIDs)
	}
	// Alone, a future resident is pre-provisioned (the credential gates it).
	if u := DesiredAt(r, dn("2026-04-20 12:00")).Users[0]; !slices.Equal(u.GroupIDs, []int64{5001, 6001}) {
		t.Fatalf("alone: %+v", u)
	}
}

func TestDesiredAtSharedUnknownLeavesThePersonUntouched(t *testing.T) {
	r := sharedResult(t, "2026-03-01", "2026-03-31")
	d := DesiredAtShared(r, dn("2026-04-02 12:00"), map[string]Shared{"entrata-1": {Unknown: true}})
	obs := []ObservedUser{{BrivoID: 7, ExternalID: "entrata-1", Tag: ",100,200,", GroupIDs: []int64{5001}}}
	if cs := Diff(d, obs, DiffOptions{PropertyID: "100", Now: dn("2026-04-02 12:00")}); len(cs.Changes) != 0 {
		t.Fatalf("changes %+v; want none while another property's answer is unknown", cs.Changes)
	}
}

func TestDiffAbsentPersonManagedElsewhere(t *testing.T) {
	now := dn("2026-04-02 12:00")
	obs := []ObservedUser{{BrivoID: 7, ExternalID: "entrata-1", Tag: ",100,200,", GroupIDs: []int64{5001, 6001}}}
	shared := map[string]Shared{"entrata-1": {Windows: []Window{{From: dn("2026-01-01 10:00")}}}}
	cs := Diff(Desired{}, obs, DiffOptions{PropertyID: "100", Now: now, Shared: shared,
		ConfirmedGone: map[string]bool{"entrata-1": true}})
	var kinds []ChangeKind
	for _, c := range cs.Changes {
		kinds = append(kinds, c.Kind)
	}
	if !slices.Equal(kinds, []ChangeKind{ChangeGroups, SetTag}) {
		t.Fatalf("changes %v; want only our groups removed, then our id out of the tag (no suspension, no deletion)", kinds)
	}
	if cs.Changes[1].Tag != "200" {
		t.Fatalf("tag %q; want 200", cs.Changes[1].Tag)
	}
	// Alone, the same absent person is deleted once Entrata confirms it.
	cs = Diff(Desired{}, []ObservedUser{{BrivoID: 7, ExternalID: "entrata-1", Tag: "100"}},
		DiffOptions{PropertyID: "100", Now: now, ConfirmedGone: map[string]bool{"entrata-1": true}})
	if len(cs.Changes) != 1 || cs.Changes[0].Kind != DeleteUser {
		t.Fatalf("alone: %+v", cs.Changes)
	}
}

func TestDiffKeepsTagListingTheProperty(t *testing.T) {
	r := sharedResult(t, "2026-03-01", "")
	now := dn("2026-03-15 12:00")
	d := DesiredAt(r, now)
	// A new user: created, then tagged, before anything else.
	cs := Diff(d, nil, DiffOptions{PropertyID: "100", Now: now})
	if len(cs.Changes) < 2 || cs.Changes[0].Kind != CreateUser || cs.Changes[1].Kind != SetTag || cs.Changes[1].Tag != "100" {
		t.Fatalf("create: %+v", cs.Changes)
	}
	// A user another property tagged: our id joins the tag first.
	u := Apply(nil, cs)[0]
	u.Tag = "200"
	cs = Diff(d, []ObservedUser{u}, DiffOptions{PropertyID: "100", Now: now})
	if len(cs.Changes) == 0 || cs.Changes[0].Kind != SetTag || cs.Changes[0].Tag != ",100,200," {
		t.Fatalf("join: %+v", cs.Changes)
	}
	// Converged: nothing to write.
	after := Apply([]ObservedUser{u}, cs)
	if cs := Diff(d, after, DiffOptions{PropertyID: "100", Now: now}); len(cs.Changes) != 0 {
		t.Fatalf("not converged: %+v", cs.Changes)
	}
}
