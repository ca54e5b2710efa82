package brivosim

import (
	"fmt"
	"testing"
)

// GET /groups/{id}/users answers the group's members, in id order, paged,
// through every way a membership changes: the console, PUT and DELETE on
// the membership, POST /users/{id}/groups, a PUT that replaces the user,
// and deleting the user.
func TestGroupMemberListFollowsEveryChange(t *testing.T) {
	s := New(testOptions())
	site := s.AddSite("S")
	door := s.AddAccessPoint(site.ID, "door")
	g, other := s.AddGroup("G", door.ID), s.AddGroup("H", door.ID)
	var ids []int64
	for i := range 3 {
		u, err := s.CreateHandMadeUser(HandMade{FirstName: "P", LastName: fmt.Sprint(i), Groups: []int64{g.ID}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	members := func() []int64 {
		t.Helper()
		var page struct {
			Data []struct {
				ID int64 `json:"id"`
			} `json:"data"`
			Count int `json:"count"`
		}
		mustCall(t, s, "GET", fmt.Sprintf("/groups/%d/users?pageSize=2&offset=0", g.ID), nil, &page)
		out := []int64{}
		for _, u := range page.Data {
			out = append(out, u.ID)
		}
		if page.Count < len(out) {
			t.Fatalf("count %d below the page's %d users", page.Count, len(out))
		}
		return append(out, int64(page.Count))
	}
	want := func(got []int64, w ...int64) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Fatalf("members (first page of 2, then count) %v, want %v", got, w)
		}
	}
	want(members(), ids[0], ids[1], 3)

	mustCall(t, s, "DELETE", fmt.Sprintf("/groups/%d/users/%d", g.ID, ids[0]), nil, nil)
	want(members(), ids[1], ids[2], 2)
	mustCall(t, s, "POST", fmt.Sprintf("/users/%d/groups", ids[1]), map[string]any{"addGroups": []int64{other.ID}, "removeGroups": []int64{g.ID}}, nil)
	want(members(), ids[2], 1)
	mustCall(t, s, "PUT", fmt.Sprintf("/groups/%d/users/%d", g.ID, ids[0]), nil, nil)
	mustCall(t, s, "PUT", fmt.Sprintf("/users/%d", ids[0]), map[string]any{"firstName": "Q", "lastName": "R"}, nil)
	want(members(), ids[0], ids[2], 2)
	mustCall(t, s, "DELETE", fmt.Sprintf("/users/%d", ids[2]), nil, nil)
	want(members(), ids[0], 1)
}
