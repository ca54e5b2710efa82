package entrata

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"
)

// exampleLeases is what the reference example's three leases must decode to.
var exampleLeases = []Lease{
	{
		ID: "13325677", PropertyID: "739084", Status: LeaseCurrent, IntervalStatus: "Current", SubStatus: "Renewed",
		UnitID: "4087615", UnitSpaces: []UnitSpace{{ID: "4247056", Label: "513"}},
		MoveInDate: MustDate(2022, time.August, 15),
		Customers: []Customer{
			{ID: "17831017", Type: "Primary", Relationship: "Primary", Status: "Current", FirstName: "Avery", LastName: "Stone",
				Email: "avery.stone@example.com", Phone: "5555550100", MoveInDate: MustDate(2022, time.August, 15)},
			{ID: "17831020", Type: "Occupant", Relationship: "Roommate", Status: "Current", FirstName: "Jordan", LastName: "Reyes",
				Email: "jordan.reyes@example.com"},
			{ID: "17831023", Type: "Occupant", Relationship: "Spouse", Status: "Cancelled", FirstName: "Casey", LastName: "Reyes"},
			{ID: "17835952", Type: "Guarantor", Relationship: "Guarantor", Status: "Current", FirstName: "Morgan", LastName: "Stone",
				Email: "morgan.stone@example.com"},
		},
		Intervals: []LeaseInterval{
			{ID: "16010001", StartDate: MustDate(2022, time.August, 15), EndDate: MustDate(2024, time.July, 30), TypeID: IntervalApplication,
				TypeName: "Application", StatusTypeID: 6, StatusName: "Past"},
			{ID: "17094219", StartDate: MustDate(2024, time.July, 31), EndDate: MustDate(2025, time.July, 30), TypeID: IntervalRenewal,
				TypeName: "Renewal", StatusTypeID: 4, StatusName: "Current"},
		},
	},
	{
		ID: "13325702", PropertyID: "739084", Status: LeaseNotice, IntervalStatus: "Notice", IsMonthToMonth: true,
		UnitID: "4087622", UnitSpaces: []UnitSpace{{ID: "4247070", Label: "520"}},
		MoveInDate: MustDate(2024, time.January, 10), MoveOutDate: MustDate(2026, time.December, 31),
		Customers: []Customer{{ID: "17900001", Type: "Primary", Relationship: "Primary", Status: "Current", FirstName: "Riley",
			LastName: "Park", Email: "riley.park@example.com"}},
		Intervals: []LeaseInterval{{ID: "17200002", StartDate: MustDate(2024, time.January, 10), EndDate: MustDate(2025, time.January, 9),
			TypeID: IntervalApplication, TypeName: "Application", StatusTypeID: 4, StatusName: "Current"}},
	},
	{
		ID: "13400001", PropertyID: "739084", Status: LeaseFuture, IntervalStatus: "Future",
		UnitID: "4087630", UnitSpaces: []UnitSpace{{ID: "4247080", Label: "601"}},
		MoveInDate: MustDate(2027, time.January, 5), ParentLeaseID: "13325677", TransferDate: MustDate(2027, time.January, 5),
		Customers: []Customer{{ID: "17831017", Type: "Primary", Relationship: "Primary", Status: "Future", FirstName: "Avery",
			LastName: "Stone", Email: "avery.stone@example.com"}},
		Intervals: []LeaseInterval{{ID: "17500001", StartDate: MustDate(2027, time.January, 5), EndDate: MustDate(2028, time.January, 4),
			TypeID: IntervalTransfer, TypeName: "Transfer", StatusTypeID: 3, StatusName: "Future"}},
	},
}

// morePage1 and page2 are the leases the test pages add.
var morePage1 = []Lease{
	{
		ID: "13325710", PropertyID: "739084", Status: LeasePast, IntervalStatus: "Past", UnitID: "4087640",
		MoveInDate: MustDate(2023, time.March, 1), MoveOutDate: MustDate(2025, time.December, 20), MoveOutReason: "Relocation",
		Customers: []Customer{
			{ID: "17700001", Type: "Primary", Relationship: "Primary", Status: "Past", FirstName: "Quinn", LastName: "Novak",
				Email: "quinn.novak@example.com", MoveInDate: MustDate(2023, time.March, 1), MoveOutDate: MustDate(2025, time.December, 20)},
			{ID: "17700002", Type: "Co-Applicant", Relationship: "Roommate", Status: "Past", FirstName: "Rowan", LastName: "Silva",
				MoveInDate: MustDate(2023, time.March, 1), MoveOutDate: MustDate(2025, time.December, 20)},
		},
		Intervals: []LeaseInterval{{ID: "15000001", StartDate: MustDate(2023, time.March, 1), EndDate: MustDate(2024, time.February, 29),
			TypeID: IntervalApplication, TypeName: "Application", StatusTypeID: 6, StatusName: "Past"}},
	},
	{
		ID: "13325711", PropertyID: "739084", Status: LeaseCurrent, IntervalStatus: "Current", IsMonthToMonth: true, UnitID: "4087641",
		UnitSpaces: []UnitSpace{{ID: "4247090", Label: "702-A"}}, MoveInDate: MustDate(2025, time.June, 1),
		Customers: []Customer{{ID: "17950001", Type: "Primary", Relationship: "Primary", Status: "Current", FirstName: "Harper",
			LastName: "Kim", Email: "harper.kim@example.com", Phone: "5555550199", MoveInDate: MustDate(2025, time.June, 1)}},
		Intervals: []LeaseInterval{{ID: "17600001", StartDate: MustDate(2025, time.June, 1), EndDate: MustDate(2026, time.May, 31),
			TypeID: IntervalApplication, TypeName: "Application", StatusTypeID: 4, StatusName: "Current"}},
	},
}

var page2Leases = []Lease{{
	ID: "13325720", PropertyID: "739084", Status: LeaseFuture, IntervalStatus: "Future", UnitID: "4087650",
	MoveInDate: MustDate(2026, time.February, 1),
	Customers: []Customer{
		{ID: "17990001", Type: "Primary", Relationship: "Primary", Status: "Future", FirstName: "Sawyer", LastName: "Walsh",
			Email: "sawyer.walsh@example.com", MoveInDate: MustDate(2026, time.February, 1)},
		{ID: "17990002", Type: "Guarantor", Relationship: "Guarantor", Status: "Future", FirstName: "Blake", LastName: "Walsh"},
	},
	Intervals: []LeaseInterval{{ID: "17700009", StartDate: MustDate(2026, time.February, 1), EndDate: MustDate(2027, time.January, 31),
		TypeID: IntervalApplication, TypeName: "Application", StatusTypeID: 3, StatusName: "Future"}},
}}

// assertLeases compares field by field so a failure names the field.
func assertLeases(t *testing.T, got, want []Lease) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d leases, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := reflect.ValueOf(got[i]), reflect.ValueOf(want[i])
		for f := 0; f < g.NumField(); f++ {
			if !reflect.DeepEqual(g.Field(f).Interface(), w.Field(f).Interface()) {
				t.Errorf("lease %s field %s:\n got %+v\nwant %+v", want[i].ID, g.Type().Field(f).Name, g.Field(f).Interface(), w.Field(f).Interface())
			}
		}
	}
}

func TestDecodeReferenceExample(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body requestBody) {
		writeBody(w, 200, readTestdata(t, "entrata-getLeases-r2.json"))
	})
	leases, problems, resp, err := f.client(WithPerPage(5)).GetLeases(context.Background(), LeaseQuery{PropertyID: "739084"})
	if err != nil || len(problems) != 0 {
		t.Fatalf("err %v, problems %v", err, problems)
	}
	if resp.RequestID != "15" {
		t.Errorf("RequestID = %q", resp.RequestID)
	}
	assertLeases(t, leases, exampleLeases)
}

func TestDecodeMultiPageLeases(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body requestBody) {
		if body.Method.Name != "getLeases" || body.Method.Version != "r2" || body.Method.Params["leaseStatusTypeIds"] != "3,4,5,6" ||
			body.Method.Params["moveOutDateFrom"] != "12/01/2025" || r.URL.Query().Get("per_page") != "5" {
			t.Errorf("unexpected request %s %+v", r.URL, body)
		}
		w.Header().Set("X-Total-Count", "6")
		switch r.URL.Query().Get("page_no") {
		case "1":
			writeBody(w, 200, readTestdata(t, "getLeases-r2-page1.json"))
		case "2":
			writeBody(w, 200, readTestdata(t, "getLeases-r2-page2.json"))
		default:
			t.Errorf("asked for page %s", r.URL.Query().Get("page_no"))
		}
	})
	q := LeaseQuery{PropertyID: "739084", Statuses: []LeaseStatus{LeaseFuture, LeaseCurrent, LeaseNotice, LeasePast},
		MoveOutDateFrom: MustDate(2025, time.December, 1)}
	leases, problems, resp, err := f.client(WithPerPage(5)).GetLeases(context.Background(), q)
	if err != nil || len(problems) != 0 {
		t.Fatalf("err %v, problems %v", err, problems)
	}
	want := append(append(append([]Lease{}, exampleLeases...), morePage1...), page2Leases...)
	assertLeases(t, leases, want)
	if f.hits.Load() != 2 || resp.TotalCount != 6 || resp.RequestID != "16" {
		t.Errorf("hits %d, total %d, request id %q", f.hits.Load(), resp.TotalCount, resp.RequestID)
	}
}

func TestDecodePropertiesAndUnits(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body requestBody) {
		switch body.Method.Name {
		case "getProperties":
			writeBody(w, 200, readTestdata(t, "entrata-getProperties.json"))
		case "getPropertyUnits":
			writeBody(w, 200, readTestdata(t, "entrata-getPropertyUnits.json"))
		}
	})
	c := f.client()
	props, _, err := c.GetProperties(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := []Property{{ID: "739084", Name: "Maple Commons", Type: "Apartment", ParentID: "739084"}}; !reflect.DeepEqual(props, want) {
		t.Errorf("properties = %+v", props)
	}
	units, _, err := c.GetPropertyUnits(context.Background(), "739084")
	if err != nil {
		t.Fatal(err)
	}
	want := []Unit{
		{ID: "4087615", PropertyID: "739084", Number: "513", BuildingID: "901", BuildingName: "North", Spaces: []UnitSpace{{ID: "4247056", Label: "513"}}},
		{ID: "4087622", PropertyID: "739084", Number: "520", BuildingID: "901", BuildingName: "North", Spaces: []UnitSpace{{ID: "4247070", Label: "520"}}},
	}
	if !reflect.DeepEqual(units, want) {
		t.Errorf("units = %+v", units)
	}
}

func TestDecodeUnitsKeyedByID(t *testing.T) {
	body := []byte(`{"properties":{"property":{"propertyId":"7","units":{
		"12":{"id":12,"unitNumber":"2","unitSpaces":""},
		"9":{"id":"9","unitNumber":"1","unitSpaces":{"unitSpace":{"unitSpaceId":90,"unitSpace":"1"}}}}}}}`)
	units, err := decodePropertyUnits(body, "7")
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 2 || units[0].ID != "9" || units[1].ID != "12" || len(units[0].Spaces) != 1 || units[1].Spaces != nil {
		t.Errorf("units = %+v", units)
	}
}

func TestDecodeExpiringLeases(t *testing.T) {
	body := []byte(`{"Leases":{"Lease":{"@attributes":{"Id":13325702},"UnitId":"4087622","LeaseStarts":"01/10/2024",
		"LeaseExpires":"12/31/2026","NoticeDate":"11/01/2026","IsMonthToMonth":"1"}}}`)
	got, err := decodeExpiringLeases(body)
	if err != nil {
		t.Fatal(err)
	}
	want := []ExpiringLease{{LeaseID: "13325702", UnitID: "4087622", LeaseStarts: MustDate(2024, time.January, 10),
		LeaseExpires: MustDate(2026, time.December, 31), NoticeDate: MustDate(2026, time.November, 1), IsMonthToMonth: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
}
