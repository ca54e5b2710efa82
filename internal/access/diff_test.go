package access

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	t0   = time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC)
	tEnd = time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC)
)

func desiredUser(ext string, groups ...int64) DesiredUser {
	return DesiredUser{ExternalID: ext, CustomerID: strings.TrimPrefix(ext, Prefix), FirstName: "F", LastName: "L",
		Email: "x@example.com", GroupIDs: groups, Window: Window{From: t0, To: ptr(tEnd)}}
}

// inSync is the Brivo user that matches d exactly.
func inSync(d DesiredUser, brivoID int64) ObservedUser {
	return ObservedUser{BrivoID: brivoID, ExternalID: d.ExternalID, FirstName: d.FirstName, LastName: d.LastName,
		Email: d.Email, Suspended: d.Suspended, GroupIDs: slices.Clone(d.GroupIDs),
		Credentials: []ObservedCredential{{ID: brivoID * 10, From: ptr(d.Window.From), To: copyTime(d.Window.To)}}}
}

func kinds(cs ChangeSet) []string {
	var out []string
	for _, c := range cs.Changes {
		out = append(out, string(c.Kind)+" "+c.ExternalID)
	}
	return out
}

func TestDiff(t *testing.T) {
	alice := desiredUser("entrata-1", 5001, 6001)
	gone := desiredUser("entrata-2", 5001)
	foreign := ObservedUser{BrivoID: 9, ExternalID: "staff-9", GroupIDs: []int64{1}}
	tests := []struct {
		name     string
		desired  Desired
		observed []ObservedUser
		opts     DiffOptions
		want     []string
		check    func(t *testing.T, cs ChangeSet)
	}{
		{name: "in sync: empty",
			desired: Desired{Users: []DesiredUser{alice}}, observed: []ObservedUser{inSync(alice, 1), foreign}},
		{name: "records without our prefix are untouched",
			desired: Desired{}, observed: []ObservedUser{foreign, {BrivoID: 8, ExternalID: "entrata"}}},
		{name: "new resident: create, invite (windowed at once), then groups",
			desired: Desired{Users: []DesiredUser{alice}}, opts: DiffOptions{InviteMobilePass: true},
			want: []string{"create-user entrata-1", "invite-mobile-pass entrata-1", "change-groups entrata-1"},
			check: func(t *testing.T, cs ChangeSet) {
				if w := cs.Changes[1].Window; w == nil || !w.Equal(alice.Window) {
					t.Errorf("invitation window %v, want the credential window", w)
				}
			}},
		{name: "new resident without e-mail: no invitation",
			desired: Desired{Users: []DesiredUser{func() DesiredUser { d := alice; d.Email = ""; return d }()}},
			opts:    DiffOptions{InviteMobilePass: true},
			want:    []string{"create-user entrata-1", "change-groups entrata-1"}},
		{name: "former resident never seen is not created",
			desired: Desired{Users: []DesiredUser{func() DesiredUser { d := gone; d.Suspended, d.GroupIDs = true, nil; return d }()}}},
		{name: "manual edits reverted: name, groups, suspension, window",
			desired: Desired{Users: []DesiredUser{alice}},
			observed: []ObservedUser{func() ObservedUser {
				o := inSync(alice, 1)
				o.FirstName, o.Suspended, o.GroupIDs = "Hacked", true, []int64{5001, 7777}
				o.Credentials[0].To = nil
				return o
			}()},
			want: []string{"patch-user entrata-1", "change-groups entrata-1", "set-window entrata-1", "unsuspend entrata-1"},
			check: func(t *testing.T, cs ChangeSet) {
				g := cs.Changes[1]
				if !slices.Equal(g.AddGroups, []int64{6001}) || !slices.Equal(g.RemoveGroups, []int64{7777}) || g.Revocation {
					t.Errorf("groups change %+v: want +6001 -7777, no revocation while suspended", g)
				}
			}},
		{name: "absent customer: suspend then remove groups, unscheduled, no delete",
			desired: Desired{}, observed: []ObservedUser{inSync(gone, 2)},
			want: []string{"suspend entrata-2", "change-groups entrata-2"},
			check: func(t *testing.T, cs ChangeSet) {
				for _, c := range cs.Changes {
					if !c.Revocation || c.Scheduled {
						t.Errorf("%+v: want an unscheduled revocation", c)
					}
				}
			}},
		{name: "deletion only on confirmation",
			desired: Desired{}, observed: []ObservedUser{inSync(gone, 2)},
			opts: DiffOptions{ConfirmedGone: map[string]bool{"entrata-2": true, "staff-9": true}},
			want: []string{"delete-user entrata-2"}},
		{name: "confirmed gone but still desired is not deleted",
			desired: Desired{Users: []DesiredUser{alice}}, observed: []ObservedUser{inSync(alice, 1)},
			opts: DiffOptions{ConfirmedGone: map[string]bool{"entrata-1": true}}},
		{name: "move-out passed: scheduled suspend",
			desired:  Desired{Users: []DesiredUser{func() DesiredUser { d := alice; d.Suspended, d.GroupIDs = true, nil; return d }()}},
			observed: []ObservedUser{inSync(alice, 1)},
			want:     []string{"suspend entrata-1", "change-groups entrata-1"},
			check: func(t *testing.T, cs ChangeSet) {
				if c := cs.Changes[0]; !c.Revocation || !c.Scheduled {
					t.Errorf("%+v: want a scheduled revocation", c)
				}
			}},
		{name: "untouchable users are left alone",
			desired: Desired{Untouchable: []string{"entrata-2"}}, observed: []ObservedUser{inSync(gone, 2)}},
		{name: "16-group limit: per-resident problem, rest applied",
			desired: Desired{Users: []DesiredUser{
				desiredUser("entrata-3", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17), alice}},
			observed: []ObservedUser{inSync(desiredUser("entrata-3", 1), 3)},
			want:     []string{"create-user entrata-1", "change-groups entrata-1"},
			check: func(t *testing.T, cs ChangeSet) {
				if len(cs.Problems) != 1 || !strings.Contains(cs.Problems[0].Reason, "entrata-3 needs 17 Brivo groups") {
					t.Errorf("problems %v", cs.Problems)
				}
			}},
		{name: "invite an existing user without credential or invitation",
			desired: Desired{Users: []DesiredUser{alice}},
			observed: []ObservedUser{func() ObservedUser {
				o := inSync(alice, 1)
				o.Credentials = nil
				return o
			}()},
			opts: DiffOptions{InviteMobilePass: true}, want: []string{"invite-mobile-pass entrata-1"}},
		{name: "pending invitation is not repeated",
			desired: Desired{Users: []DesiredUser{alice}},
			observed: []ObservedUser{func() ObservedUser {
				o := inSync(alice, 1)
				o.Credentials, o.PendingInvitation = nil, true
				return o
			}()},
			opts: DiffOptions{InviteMobilePass: true}},
		{name: "duplicate external id in Brivo: problem, untouched",
			desired: Desired{Users: []DesiredUser{alice}}, observed: []ObservedUser{inSync(alice, 1), inSync(alice, 7)},
			check: func(t *testing.T, cs ChangeSet) {
				if len(cs.Problems) != 1 || cs.Problems[0].Field != "externalId" {
					t.Errorf("problems %v", cs.Problems)
				}
			}},
		{name: "grants before revocations across users",
			desired: Desired{Users: []DesiredUser{desiredUser("entrata-5", 5001), desiredUser("entrata-0", 5001, 6001)}},
			observed: []ObservedUser{inSync(desiredUser("entrata-0", 5001, 6002), 10),
				inSync(desiredUser("entrata-5"), 5), inSync(gone, 2)},
			want: []string{"change-groups entrata-5", "change-groups entrata-0", "suspend entrata-2", "change-groups entrata-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := Diff(tt.desired, tt.observed, tt.opts)
			if got := kinds(cs); !slices.Equal(got, tt.want) {
				t.Errorf("changes:\n got  %q\n want %q", got, tt.want)
			}
			for _, c := range cs.Changes {
				if !Owned(c.ExternalID) {
					t.Errorf("change to a record we do not own: %+v", c)
				}
			}
			if tt.check != nil {
				tt.check(t, cs)
			}
		})
	}
}

// TestDiffOrderNeverLetsAnyoneIn checks the per-user order for a revocation
// mixed with a grant: the narrowing comes before the widening.
func TestDiffOrderNeverLetsAnyoneIn(t *testing.T) {
	d := desiredUser("entrata-1", 5001, 6002)
	o := inSync(desiredUser("entrata-1", 5001, 6001), 1)
	o.Credentials = append(o.Credentials, ObservedCredential{ID: 11, From: ptr(t0.Add(time.Hour)), To: ptr(tEnd.Add(-time.Hour))})
	o.Credentials[0].To = ptr(tEnd.Add(time.Hour)) // too late: narrows
	cs := Diff(Desired{Users: []DesiredUser{d}}, []ObservedUser{o}, DiffOptions{})
	got := kinds(cs)
	want := []string{"change-groups entrata-1", "set-window entrata-1", "set-window entrata-1", "change-groups entrata-1"}
	if !slices.Equal(got, want) {
		t.Fatalf("changes %q", got)
	}
	c := cs.Changes
	if !c[0].Revocation || !slices.Equal(c[0].RemoveGroups, []int64{6001}) || len(c[0].AddGroups) != 0 ||
		!c[1].Revocation || c[1].CredentialID != 10 || c[2].Revocation || c[2].CredentialID != 11 ||
		c[3].Revocation || !slices.Equal(c[3].AddGroups, []int64{6002}) || len(c[3].RemoveGroups) != 0 {
		t.Errorf("want remove 6001, narrow credential 10, widen credential 11, then add 6002: %+v", c)
	}
}
