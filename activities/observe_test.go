package activities

import (
	"strings"
	"testing"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// A property with fewer users than managed groups reads each user's group
// list instead of every group's member list: its first sync, with no user
// yet, reads no membership at all; and an audit of a small property still
// sees a membership removed by hand, and puts back only that one.
func TestMembershipsAreReadTheCheaperWay(t *testing.T) {
	w := newWorld(t)
	// Keep one current lease: fewer users than the groups they are in (the
	// building groups and their unit group).
	for _, pd := range w.sb.Entrata.Portfolio().Properties {
		kept := 0
		for _, l := range pd.Leases {
			if l.Status == entrata.LeaseCurrent && l.ParentLeaseID == "" && kept < 1 {
				kept++
				continue
			}
			if err := w.sb.Entrata.DeleteLease(pd.Property.ID, l.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	const memberLists, userGroups = "GET /groups/{id}/users", "GET /users/{id}/groups"

	env := w.activities()
	sum := fetch(t, env, "")
	w.sb.Brivo.ResetCalls()
	first := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})
	if calls := w.sb.Brivo.Calls(); calls[memberLists] != 0 || calls[userGroups] != 0 {
		t.Fatalf("a first sync with no user yet read memberships: %d member lists, %d user group lists",
			calls[memberLists], calls[userGroups])
	}
	w.refereeClean()

	owned := 0
	var victim int64
	var victimGroup int64
	for _, u := range w.sb.Brivo.Users() {
		if !access.Owned(u.ExternalID) {
			continue
		}
		owned++
		if victim == 0 && !u.Suspended && len(u.Groups) > 0 {
			victim, victimGroup = u.ID, u.Groups[len(u.Groups)-1]
		}
	}
	if owned == 0 || victim == 0 || owned >= 12 {
		t.Fatalf("%d owned users, victim %d: the world is not the small property this test needs", owned, victim)
	}
	// A restarted worker reads Brivo before it applies: nothing to change.
	audit := func() ApplyResult {
		t.Helper()
		r := w.activities()
		sum := fetch(t, r, "")
		w.sb.Brivo.ResetCalls()
		res := apply(t, r, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: first.AppliedToken})
		calls := w.sb.Brivo.Calls()
		if calls[memberLists] != 0 || calls[userGroups] != owned {
			t.Fatalf("audit of %d users read %d member lists and %d user group lists; want 0 and %d",
				owned, calls[memberLists], calls[userGroups], owned)
		}
		return res
	}
	if res := audit(); !res.Audited || len(res.Changes) != 0 {
		t.Fatalf("audit of an untouched property changes %+v", res.Changes)
	}

	if err := w.sb.Brivo.ManualRemoveFromGroup(victim, victimGroup); err != nil {
		t.Fatal(err)
	}
	if res := audit(); !res.Audited || res.Changes[string(access.ChangeGroups)] != 1 || len(res.Changes) != 1 {
		t.Fatalf("audit changes %+v: want the one membership removed by hand put back", res.Changes)
	}
	w.refereeClean()
}

// A property's first sync in an account that holds few users lists the
// account (GET /users, 100 a page) instead of looking up each new resident
// by external id, and still finds a user already there under a resident's
// external id (untagged, as after its tag was removed by hand): no second
// user, the tag put back (and reported). In an account with more pages of
// users than new residents, it looks each one up instead.
func TestFirstSyncListsTheAccountWhenThatIsCheaper(t *testing.T) {
	for _, tc := range []struct {
		name    string
		foreign int
		listing bool
	}{
		{"small account: one listing", 0, true},
		{"large account: a look-up each", 3000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			for range tc.foreign {
				if _, err := w.sb.Brivo.CreateForeignUser("Staff", "Member", ""); err != nil {
					t.Fatal(err)
				}
			}
			ext := ""
			for _, l := range w.sb.Entrata.Portfolio().Properties[0].Leases {
				if l.Status == entrata.LeaseCurrent && l.ParentLeaseID == "" && len(l.Customers) > 0 &&
					!strings.EqualFold(l.Customers[0].Type, "Guarantor") && l.Customers[0].Status == "Current" {
					ext = access.ExternalID(l.Customers[0].ID)
					break
				}
			}
			if ext == "" {
				t.Fatal("no current resident")
			}
			pre, err := w.sb.Brivo.CreateForeignUser("Pre", "Existing", ext)
			if err != nil {
				t.Fatal(err)
			}

			env := w.activities()
			sum := fetch(t, env, "")
			w.sb.Brivo.ResetCalls()
			res := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})
			lookups := w.sb.Brivo.Calls()["GET /users/{ext}/external"]
			if tc.listing && lookups != 0 {
				t.Fatalf("%d look-ups by external id; want the one listing of the account", lookups)
			}
			if !tc.listing && lookups < accountListMin {
				t.Fatalf("%d look-ups by external id; want one per new resident", lookups)
			}
			// The one problem is the report of the untagged user found.
			if res.Unlisted != 1 || res.Problems != 1 || res.Grants == 0 {
				t.Fatalf("first sync: %d unlisted, %d problems %v, %d grants", res.Unlisted, res.Problems, res.ProblemSample, res.Grants)
			}
			u, ok := w.sb.Brivo.UserByExternalID(ext)
			if !ok || u.ID != pre.ID {
				t.Fatalf("the resident already in Brivo is user %d now, was %d", u.ID, pre.ID)
			}
			if v := w.sb.Brivo.CustomFieldValue(u.ID, "Entrata Property"); v != "100" {
				t.Fatalf("tag %q, want 100", v)
			}
			w.refereeClean()
		})
	}
}
