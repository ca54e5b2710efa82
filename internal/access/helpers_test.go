package access

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var (
	denver  = mustLoc("America/Denver")
	chicago = mustLoc("America/Chicago")
)

// testPolicy is property 100 in Denver with default times, one building
// group and three explicitly mapped units (U4 and U5 are unmapped).
func testPolicy() PropertyPolicy {
	return PropertyPolicy{
		PropertyID: "100", Location: denver,
		Start: ClockTime{Hour: 10}, End: ClockTime{Hour: 16},
		BuildingGroupIDs: []int64{5001},
		Units:            map[string]int64{"U1": 6001, "U2": 6002, "U3": 6003},
	}
}

var testUnits = []entrata.Unit{
	{ID: "U1", PropertyID: "100", Number: "101", BuildingName: "A"},
	{ID: "U2", PropertyID: "100", Number: "102", BuildingName: "A"},
	{ID: "U3", PropertyID: "100", Number: "103", BuildingName: "B"},
	{ID: "U4", PropertyID: "100", Number: "104", BuildingName: "B"},
	{ID: "U5", PropertyID: "100", Number: "105", BuildingName: "B"},
}

// date parses "2026-03-01"; "" is the zero date.
func date(s string) entrata.Date {
	d, err := entrata.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func lease(id string, st entrata.LeaseStatus, unit, in, out string, cs ...entrata.Customer) entrata.Lease {
	return entrata.Lease{ID: id, PropertyID: "100", Status: st, UnitID: unit,
		MoveInDate: date(in), MoveOutDate: date(out), Customers: cs}
}

func cust(id, typ, status string) entrata.Customer {
	return entrata.Customer{ID: id, Type: typ, Status: status,
		FirstName: "First" + id, LastName: "Last" + id, Email: "c" + id + "@example.com"}
}

func custDates(c entrata.Customer, in, out string) entrata.Customer {
	c.MoveInDate, c.MoveOutDate = date(in), date(out)
	return c
}

func primary(id string) entrata.Customer { return cust(id, "Primary", "Current") }

// at parses "2026-03-01 10:00" (seconds optional) in loc.
func at(loc *time.Location, s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t
		}
	}
	panic("bad time " + s)
}

const localLayout = "2006-01-02 15:04:05 MST"

func fmtWindow(w Window, loc *time.Location) string {
	to := "open"
	if w.To != nil {
		to = w.To.In(loc).Format(localLayout)
	}
	return w.From.In(loc).Format(localLayout) + " → " + to
}

// describe renders an entitlement's window and grants in property time.
func describe(e Entitlement, loc *time.Location) string {
	parts := []string{"window " + fmtWindow(e.Window, loc)}
	for _, g := range e.Grants {
		parts = append(parts, fmt.Sprintf("%d %s", g.GroupID, fmtWindow(g.Window, loc)))
	}
	return strings.Join(parts, "; ")
}

func findEnt(r Result, ext string) (Entitlement, bool) {
	for _, e := range r.Entitlements {
		if e.ExternalID == ext {
			return e, true
		}
	}
	return Entitlement{}, false
}

func findUser(d Desired, ext string) (DesiredUser, bool) {
	for _, u := range d.Users {
		if u.ExternalID == ext {
			return u, true
		}
	}
	return DesiredUser{}, false
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
