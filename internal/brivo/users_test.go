package brivo

import (
	"errors"
	"fmt"
	"testing"
)

func TestUsersCRUD(t *testing.T) {
	e := newEnv(t, simOptions())
	ctx := ctxT(t)
	u := e.mustCreate(t, "entrata-1")
	if u.ID == 0 || u.ExternalID != "entrata-1" || u.Created.IsZero() {
		t.Fatalf("created user = %v created=%v", u, u.Created)
	}
	got, _, err := e.client.Users.Get(ctx, u.ID)
	if err != nil || got.LastName != "Stone" || len(got.Emails) != 1 {
		t.Fatalf("Get = %v, %v", got, err)
	}
	byExt, _, err := e.client.Users.GetByExternalID(ctx, "entrata-1")
	if err != nil || byExt == nil || byExt.ID != u.ID {
		t.Fatalf("GetByExternalID = %v, %v", byExt, err)
	}
	missing, resp, err := e.client.Users.GetByExternalID(ctx, "entrata-404")
	if err != nil || missing != nil || resp == nil || resp.StatusCode != 404 {
		t.Fatalf("GetByExternalID(missing) = %v, %v, %v; want nil, 404 response, nil", missing, resp, err)
	}
	_, _, err = e.client.Users.Get(ctx, 999999)
	if !errors.Is(err, ErrNotFound) || !IsPermanent(err) {
		t.Fatalf("Get(missing) err = %v; want ErrNotFound, permanent", err)
	}

	if _, err := e.client.Users.SetSuspended(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	got, _, _ = e.client.Users.Get(ctx, u.ID)
	if !got.Suspended {
		t.Fatal("user not suspended")
	}
	if _, err := e.client.Users.Delete(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.client.Users.Get(ctx, u.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestPatchKeepsOmittedFieldsReplaceErasesThem(t *testing.T) {
	e := newEnv(t, simOptions())
	ctx := ctxT(t)
	u := e.mustCreate(t, "entrata-2")

	patched, _, err := e.client.Users.Patch(ctx, u.ID, &UserPatch{MiddleName: ptr("Q")})
	if err != nil {
		t.Fatal(err)
	}
	if patched.MiddleName != "Q" || patched.ExternalID != "entrata-2" || len(patched.Emails) != 1 {
		t.Fatalf("PATCH lost fields: ext=%q emails=%d middle=%q", patched.ExternalID, len(patched.Emails), patched.MiddleName)
	}

	replaced, _, err := e.client.Users.Replace(ctx, u.ID, &User{FirstName: "Avery", LastName: "Stone"})
	if err != nil {
		t.Fatal(err)
	}
	if replaced.ExternalID != "" || len(replaced.Emails) != 0 || replaced.MiddleName != "" {
		t.Fatalf("PUT kept omitted fields: ext=%q emails=%d middle=%q", replaced.ExternalID, len(replaced.Emails), replaced.MiddleName)
	}
	if none, _, err := e.client.Users.GetByExternalID(ctx, "entrata-2"); err != nil || none != nil {
		t.Fatalf("externalId still resolves after PUT erased it: %v, %v", none, err)
	}
}

func TestExternalIDIsUnique(t *testing.T) {
	e := newEnv(t, simOptions())
	ctx := ctxT(t)
	e.mustCreate(t, "entrata-3")
	_, _, err := e.client.Users.Create(ctx, &User{ExternalID: "entrata-3", FirstName: "B", LastName: "C"})
	if !errors.Is(err, ErrConflict) || !IsPermanent(err) {
		t.Fatalf("duplicate externalId err = %v; want ErrConflict, permanent", err)
	}
	other := e.mustCreate(t, "entrata-4")
	_, _, err = e.client.Users.Patch(ctx, other.ID, &UserPatch{ExternalID: ptr("entrata-3")})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("PATCH to taken externalId err = %v; want ErrConflict", err)
	}
}

func TestListPagingAndCustomFieldFilter(t *testing.T) {
	e := newEnv(t, simOptions())
	ctx := ctxT(t)
	field, _, err := e.client.CustomFields.Create(ctx, "Entrata Property")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 230 {
		u := e.mustCreate(t, fmt.Sprintf("entrata-%d", 1000+i))
		prop := "100"
		if i%3 == 0 {
			prop = "200"
		}
		v, _, err := e.client.Users.SetCustomField(ctx, u.ID, field.ID, prop)
		if err != nil || v.Value != prop || v.ID != field.ID {
			t.Fatalf("SetCustomField = %+v, %v", v, err)
		}
	}
	page, resp, err := e.client.Users.List(ctx, &ListOptions{Offset: 200, PageSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	if resp.PageSize != 100 || resp.Count != 230 || resp.Offset != 200 || len(page) != 30 {
		t.Fatalf("page: size=%d count=%d offset=%d len=%d", resp.PageSize, resp.Count, resp.Offset, len(page))
	}
	e.sim.ResetCalls()
	all, err := e.client.Users.ListAll(ctx, "")
	if err != nil || len(all) != 230 {
		t.Fatalf("ListAll = %d users, %v", len(all), err)
	}
	if n := e.sim.Calls()["GET /users"]; n != 3 {
		t.Fatalf("ListAll made %d calls; want 3 pages of 100", n)
	}
	in200, err := e.client.Users.ListByCustomField(ctx, field.ID, "200")
	if err != nil || len(in200) != 77 {
		t.Fatalf("ListByCustomField = %d, %v; want 77", len(in200), err)
	}
	// "10" is contained in "100": eq on a TEXT field is a contains match.
	with10, err := e.client.Users.ListByCustomFieldContaining(ctx, field.ID, "10")
	if err != nil || len(with10) != 230-77 {
		t.Fatalf("ListByCustomFieldContaining(10) = %d, %v; want %d", len(with10), err, 230-77)
	}
	if exact10, err := e.client.Users.ListByCustomField(ctx, field.ID, "10"); err != nil || len(exact10) != 0 {
		t.Fatalf("ListByCustomField(10) = %d, %v; want 0", len(exact10), err)
	}
	if vals, _, err := e.client.Users.CustomFields(ctx, in200[0].ID); err != nil || len(vals) != 1 || vals[0].Value != "200" {
		t.Fatalf("CustomFields = %+v, %v", vals, err)
	}
	for _, u := range in200 {
		if len(u.CustomFields) != 1 || u.CustomFields[0].Value != "200" || u.CustomFields[0].FieldName != "Entrata Property" {
			t.Fatalf("user %d custom fields = %+v", u.ID, u.CustomFields)
		}
	}
	fields, _, err := e.client.CustomFields.List(ctx)
	if err != nil || len(fields) != 1 || fields[0].ID != field.ID {
		t.Fatalf("CustomFields.List = %+v, %v", fields, err)
	}
}

func TestGroupMembershipAndLimit(t *testing.T) {
	e := newEnv(t, simOptions())
	ctx := ctxT(t)
	u := e.mustCreate(t, "entrata-5")
	b, a := e.demo.BuildingGroup.ID, e.demo.AmenitiesGroup.ID
	if _, err := e.client.Users.ChangeGroups(ctx, u.ID, []int64{b, a}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Users.ChangeGroups(ctx, u.ID, []int64{e.demo.UnitGroups[0].ID}, []int64{a}); err != nil {
		t.Fatal(err)
	}
	groups, _, err := e.client.Users.Groups(ctx, u.ID)
	if err != nil || len(groups) != 2 || groups[0].ID != b || groups[1].ID != e.demo.UnitGroups[0].ID {
		t.Fatalf("Groups = %+v, %v", groups, err)
	}

	var many []int64
	for i := range 15 {
		many = append(many, e.sim.AddGroup(fmt.Sprintf("Extra %d", i)).ID)
	}
	_, err = e.client.Users.ChangeGroups(ctx, u.ID, many, nil)
	var gl *GroupLimitError
	if !errors.As(err, &gl) || gl.UserID != u.ID || !IsPermanent(err) || IsRetryable(err) {
		t.Fatalf("17 groups err = %v; want permanent *GroupLimitError naming user %d", err, u.ID)
	}
	if groups, _, _ := e.client.Users.Groups(ctx, u.ID); len(groups) != 2 {
		t.Fatalf("group limit changed memberships: %d groups", len(groups))
	}
	if _, err := e.client.Users.ChangeGroups(ctx, u.ID, many[:14], nil); err != nil {
		t.Fatalf("16 groups should be allowed: %v", err)
	}
	_, err = e.client.Groups.AddUser(ctx, many[14], u.ID)
	if !errors.As(err, &gl) || gl.UserID != u.ID {
		t.Fatalf("AddUser 17th group err = %v; want *GroupLimitError", err)
	}
}
