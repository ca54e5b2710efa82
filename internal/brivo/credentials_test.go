package brivo

import (
	"errors"
	"testing"
	"time"
)

func TestCredentialAssignWindowAndUnassign(t *testing.T) {
	e := newEnv(t, simOptions())
	ctx := ctxT(t)
	u := e.mustCreate(t, "entrata-20")
	card, _, err := e.client.Credentials.Create(ctx, &Credential{ReferenceID: "card-77", CredentialFormat: CredentialFormat{ID: 100}})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 6, 1, 10, 0, 0, 0, time.FixedZone("CDT", -5*3600))
	to := time.Date(2027, 5, 31, 22, 0, 0, 0, time.UTC)
	if _, err := e.client.Credentials.Assign(ctx, u.ID, card.ID, Window{From: &from, To: &to}); err != nil {
		t.Fatal(err)
	}
	creds, _, err := e.client.Credentials.ListForUser(ctx, u.ID)
	if err != nil || len(creds) != 1 {
		t.Fatalf("ListForUser = %+v, %v", creds, err)
	}
	c := creds[0]
	if c.ID != card.ID || c.EffectiveFrom == nil || !c.EffectiveFrom.Equal(from) || c.EffectiveFrom.Location() != time.UTC ||
		c.EffectiveTo == nil || !c.EffectiveTo.Equal(to) {
		t.Fatalf("window = %v..%v; want %v..%v in UTC", c.EffectiveFrom, c.EffectiveTo, from, to)
	}
	// A withdrawn move-out: the re-assignment clears the end. The strict
	// simulator keeps a bound the body leaves out, so only an explicit null
	// reopens the window.
	if _, err := e.client.Credentials.Assign(ctx, u.ID, card.ID, Window{From: &from}); err != nil {
		t.Fatal(err)
	}
	if creds, _, _ := e.client.Credentials.ListForUser(ctx, u.ID); len(creds) != 1 || creds[0].EffectiveTo != nil {
		t.Fatalf("after clearing the end: %+v; want an open-ended window", creds)
	}
	if _, err := e.client.Credentials.Unassign(ctx, u.ID, card.ID); err != nil {
		t.Fatal(err)
	}
	if creds, _, _ := e.client.Credentials.ListForUser(ctx, u.ID); len(creds) != 0 {
		t.Fatalf("credential still assigned: %+v", creds)
	}
}

func TestRevokeCredentialsOnlyWhenSuspended(t *testing.T) {
	e := newEnv(t, simOptions())
	ctx := ctxT(t)
	u := e.mustCreate(t, "entrata-21")
	card := e.sim.AddCard("card-1")
	if _, err := e.client.Credentials.Assign(ctx, u.ID, card, Window{}); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.Users.RevokeCredentials(ctx, u.ID)
	var er *ErrorResponse
	if !errors.As(err, &er) || er.StatusCode != 400 || !IsPermanent(err) {
		t.Fatalf("revoke on active user err = %v; want permanent 400", err)
	}
	if _, err := e.client.Users.SetSuspended(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Users.RevokeCredentials(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if creds, _, _ := e.client.Credentials.ListForUser(ctx, u.ID); len(creds) != 0 {
		t.Fatalf("credentials left after revoke: %+v", creds)
	}
}

func TestMobilePassInvitation(t *testing.T) {
	tests := []struct {
		name       string
		manual     bool
		wantStatus string
	}{
		{"auto redeem", false, "REDEEMED"},
		{"manual redeem", true, "PENDING"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			so := simOptions()
			so.ManualRedeem, so.Allotted = tc.manual, 2
			e := newEnv(t, so)
			ctx := ctxT(t)
			u := e.mustCreate(t, "entrata-30")
			inv, pending, _, err := e.client.MobilePass.Invite(ctx, u.ID, "avery.stone@example.com")
			if err != nil || pending || inv == nil || inv.CredentialID == 0 || inv.Status != tc.wantStatus {
				t.Fatalf("Invite = %v, %v, %v; want status %s", inv, pending, err, tc.wantStatus)
			}
			// A second invitation is a 409 either way: pending, or already holding a pass.
			again, pending, resp, err := e.client.MobilePass.Invite(ctx, u.ID, "avery.stone@example.com")
			if err != nil || !pending || again != nil || resp.StatusCode != 409 {
				t.Fatalf("second Invite = %v, %v, %v; want (nil, true, 409, nil)", again, pending, err)
			}
			invs, _, err := e.client.MobilePass.ListInvitations(ctx, u.ID)
			if err != nil || len(invs) != 1 || invs[0].Status != tc.wantStatus {
				t.Fatalf("ListInvitations = %v, %v", invs, err)
			}
			creds, _, _ := e.client.Credentials.ListForUser(ctx, u.ID)
			if held := len(creds) == 1 && creds[0].ID == inv.CredentialID; held == tc.manual {
				t.Fatalf("credential assigned = %v; want %v", held, !tc.manual)
			}
			a, _, err := e.client.MobilePass.Allotment(ctx)
			if err != nil || a.Allotted != 2 || a.Assigned != 1 {
				t.Fatalf("Allotment = %+v, %v", a, err)
			}
			second := e.mustCreate(t, "entrata-31")
			if _, _, _, err := e.client.MobilePass.Invite(ctx, second.ID, "b@example.com"); err != nil {
				t.Fatal(err)
			}
			third := e.mustCreate(t, "entrata-32")
			_, pending, _, err = e.client.MobilePass.Invite(ctx, third.ID, "c@example.com")
			if !errors.Is(err, ErrNoPassesLeft) || pending || !IsPermanent(err) {
				t.Fatalf("over allotment err = %v; want ErrNoPassesLeft", err)
			}
		})
	}
}

func TestManualRedeemMakesPassUsable(t *testing.T) {
	so := simOptions()
	so.ManualRedeem = true
	e := newEnv(t, so)
	ctx := ctxT(t)
	u := e.mustCreate(t, "entrata-40")
	if _, err := e.client.Users.ChangeGroups(ctx, u.ID, []int64{e.demo.BuildingGroup.ID}, nil); err != nil {
		t.Fatal(err)
	}
	inv, _, _, err := e.client.MobilePass.Invite(ctx, u.ID, "x@example.com")
	if err != nil {
		t.Fatal(err)
	}
	door := e.demo.Entrances[0].ID
	if e.sim.CanOpen("entrata-40", door, time.Now()) {
		t.Fatal("pending pass opens a door")
	}
	if n := e.sim.RedeemInvitations(u.ID); n != 1 {
		t.Fatalf("redeemed %d", n)
	}
	if !e.sim.CanOpen("entrata-40", door, time.Now().Add(time.Millisecond)) {
		t.Fatal("redeemed pass does not open")
	}
	st, _ := e.sim.UserByExternalID("entrata-40")
	if len(st.Credentials) != 1 || st.Credentials[0].ID != inv.CredentialID || !st.Credentials[0].Mobile {
		t.Fatalf("dump credentials = %+v", st.Credentials)
	}
}
