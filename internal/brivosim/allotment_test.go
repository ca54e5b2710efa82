package brivosim

import (
	"fmt"
	"testing"
)

// The mobile-pass allotment counts passes in use: invitations take one, a
// pass taken from its holder gives it back, and past the allotment an
// invitation is refused with 412.
func TestMobilePassAllotment(t *testing.T) {
	opts := testOptions()
	opts.Allotted = 2
	sim := New(opts)
	ids := make([]int64, 3)
	for i := range ids {
		var u struct{ ID int64 }
		mustCall(t, sim, "POST", "/users", map[string]any{"externalId": fmt.Sprint("entrata-", i), "firstName": "A", "lastName": "B",
			"emails": []map[string]string{{"address": fmt.Sprintf("p%d@example.com", i), "type": "home"}}}, &u)
		ids[i] = u.ID
	}
	var inv struct {
		CredentialID int64 `json:"credentialId"`
	}
	mustCall(t, sim, "POST", fmt.Sprintf("/users/%d/credentials/digital-invitations", ids[0]), map[string]any{"referenceId": "p0@example.com"}, &inv)
	mustCall(t, sim, "POST", fmt.Sprintf("/users/%d/credentials/digital-invitations", ids[1]), map[string]any{"referenceId": "p1@example.com"}, nil)
	var allot struct{ Allotted, Assigned int }
	mustCall(t, sim, "GET", "/credentials/digital/allotment", nil, &allot)
	if allot.Allotted != 2 || allot.Assigned != 2 {
		t.Fatalf("allotment %+v, want 2 of 2", allot)
	}
	if code, _ := call(t, sim, "POST", fmt.Sprintf("/users/%d/credentials/digital-invitations", ids[2]), map[string]any{"referenceId": "p2@example.com"}); code != 412 {
		t.Fatalf("invitation past the allotment = %d, want 412", code)
	}
	creds := sim.Users()[0].Credentials
	if len(creds) != 1 {
		t.Fatalf("first user holds %d credentials", len(creds))
	}
	mustCall(t, sim, "DELETE", fmt.Sprintf("/users/%d/credentials/%d", ids[0], creds[0].ID), nil, nil)
	mustCall(t, sim, "GET", "/credentials/digital/allotment", nil, &allot)
	if allot.Assigned != 1 {
		t.Fatalf("after a pass was taken back: %+v, want 1 assigned", allot)
	}
	mustCall(t, sim, "POST", fmt.Sprintf("/users/%d/credentials/digital-invitations", ids[2]), map[string]any{"referenceId": "p2@example.com"}, nil)
}
