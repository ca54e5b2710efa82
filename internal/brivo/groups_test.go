package brivo

import (
	"testing"
)

func TestGroupsSitesAccessPoints(t *testing.T) {
	e := newEnv(t, simOptions())
	ctx := ctxT(t)
	d := e.demo

	groups, err := e.client.Groups.ListAll(ctx)
	if err != nil || len(groups) != 2+len(d.UnitGroups) {
		t.Fatalf("Groups.ListAll = %d, %v", len(groups), err)
	}
	page, resp, err := e.client.Groups.List(ctx, &ListOptions{PageSize: 2})
	if err != nil || len(page) != 2 || resp.Count != len(groups) {
		t.Fatalf("Groups.List = %d of %d, %v", len(page), resp.Count, err)
	}
	g, _, err := e.client.Groups.Get(ctx, d.BuildingGroup.ID)
	if err != nil || g.Name != "Residents - Entrances" {
		t.Fatalf("Groups.Get = %+v, %v", g, err)
	}
	gaps, _, err := e.client.Groups.AccessPoints(ctx, d.BuildingGroup.ID)
	if err != nil || len(gaps) != 2 || gaps[0].AccessPoint.ID != d.Entrances[0].ID || gaps[0].Schedule.ID == 0 {
		t.Fatalf("Groups.AccessPoints = %+v, %v", gaps, err)
	}

	u1, u2 := e.mustCreate(t, "entrata-10"), e.mustCreate(t, "entrata-11")
	for _, u := range []*User{u1, u2} {
		if _, err := e.client.Groups.AddUser(ctx, d.BuildingGroup.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	members, err := e.client.Groups.ListAllMembers(ctx, d.BuildingGroup.ID)
	if err != nil || len(members) != 2 {
		t.Fatalf("ListAllMembers = %d, %v", len(members), err)
	}
	if _, err := e.client.Groups.RemoveUser(ctx, d.BuildingGroup.ID, u1.ID); err != nil {
		t.Fatal(err)
	}
	one, resp, err := e.client.Groups.Members(ctx, d.BuildingGroup.ID, &ListOptions{PageSize: 10})
	if err != nil || len(one) != 1 || one[0].ID != u2.ID || resp.Count != 1 {
		t.Fatalf("Members = %v, %v", one, err)
	}

	sites, err := e.client.Sites.ListAll(ctx)
	if err != nil || len(sites) != 1 || sites[0].SiteName != "Test Site" {
		t.Fatalf("Sites.ListAll = %+v, %v", sites, err)
	}
	if sp, _, err := e.client.Sites.List(ctx, nil); err != nil || len(sp) != 1 {
		t.Fatalf("Sites.List = %+v, %v", sp, err)
	}
	siteAPs, err := e.client.Sites.AccessPoints(ctx, sites[0].ID)
	want := len(d.Entrances) + len(d.Amenities) + len(d.UnitDoors)
	if err != nil || len(siteAPs) != want {
		t.Fatalf("Sites.AccessPoints = %d, %v; want %d", len(siteAPs), err, want)
	}
	aps, err := e.client.AccessPoints.ListAll(ctx)
	if err != nil || len(aps) != want || aps[0].SiteID != sites[0].ID {
		t.Fatalf("AccessPoints.ListAll = %d, %v", len(aps), err)
	}
	if ap, _, err := e.client.AccessPoints.List(ctx, &ListOptions{PageSize: 1}); err != nil || len(ap) != 1 {
		t.Fatalf("AccessPoints.List = %+v, %v", ap, err)
	}
}
