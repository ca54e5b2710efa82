package brivosim

import (
	"testing"
	"time"
)

func TestCreateHandMadeUserOpensWithCardAndPass(t *testing.T) {
	s := New(Options{})
	site := s.AddSite("S")
	door := s.AddAccessPoint(site.ID, "door")
	g := s.AddGroup("G", door.ID)
	u, err := s.CreateHandMadeUser(HandMade{FirstName: "Dana", LastName: "Miles", Email: "dana@example.com",
		Groups: []int64{g.ID}, CardRef: "card-1", MobilePass: true})
	if err != nil {
		t.Fatal(err)
	}
	if u.ExternalID != "" || len(u.Credentials) != 2 || len(u.Emails) != 1 || len(u.Groups) != 1 {
		t.Fatalf("user %+v; want no external id, a card and a pass, an e-mail, one group", u)
	}
	for _, c := range u.Credentials {
		if c.Pending {
			t.Fatalf("credential %+v still pending; want the pass redeemed", c)
		}
	}
	if !s.CanOpen(PersonKey("", u.ID), door.ID, time.Now()) {
		t.Fatal("the hand-made user cannot open its group's door")
	}
}
