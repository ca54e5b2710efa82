package entratasim

import (
	"strconv"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// The render functions write records the way the real API does: lease ids
// as strings, customer and interval ids as numbers, unitId and
// isMonthToMonth flipping between string and number from one lease to the
// next, MM/DD/YYYY dates, "t"/"f" flags, and XML-shaped wrappers that hold
// a lone object instead of a one-item array.

// oneOrList returns the lone item itself, or the list.
func oneOrList(items []any) any {
	if len(items) == 1 {
		return items[0]
	}
	return items
}

// num writes a numeric id as a JSON number and anything else as a string.
func num(id string) any {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return n
	}
	return id
}

// odd reports whether a numeric id is odd; it drives the string/number
// flips so that output is stable.
func odd(id string) bool {
	n, err := strconv.ParseInt(id, 10, 64)
	return err == nil && n%2 == 1
}

func flag01(b bool) int {
	if b {
		return 1
	}
	return 0
}

func tf(b bool) string {
	if b {
		return "t"
	}
	return "f"
}

func renderProperty(p entrata.Property) any {
	parent := p.ParentID
	if parent == "" {
		parent = p.ID
	}
	return map[string]any{
		"PropertyID":    num(p.ID),
		"MarketingName": p.Name,
		"Type":          p.Type,
		"Address": map[string]any{
			"@attributes": map[string]any{"AddressType": "property"},
			"Address":     p.ID + " Main Street", "City": "Denver", "State": "CO", "PostalCode": "80202", "Country": "US",
		},
		"IsDisabled":         flag01(p.Disabled),
		"IsFeaturedProperty": 0,
		"ParentPropertyID":   num(parent),
	}
}

func renderPropertyUnits(pd *PropertyData) any {
	units := make([]any, 0, len(pd.Units))
	buildings := map[string]bool{}
	for i, u := range pd.Units {
		buildings[u.BuildingID] = true
		spaces := make([]any, 0, len(u.Spaces))
		for _, sp := range u.Spaces {
			spaces = append(spaces, map[string]any{"unitSpaceId": num(sp.ID), "unitNumber": sp.Label})
		}
		var id, building any = num(u.ID), num(u.BuildingID)
		if i%2 == 1 {
			id, building = u.ID, u.BuildingID
		}
		units = append(units, map[string]any{
			"id": id, "unitNumber": u.Number, "buildingId": building, "buildingName": u.BuildingName,
			"unitSpaces": map[string]any{"unitSpace": oneOrList(spaces)},
		})
	}
	return map[string]any{
		"propertyId": num(pd.Property.ID), "propertyName": pd.Property.Name,
		"unitCount": len(pd.Units), "buildingCount": len(buildings),
		"units": map[string]any{"unit": units},
	}
}

// currentInterval is the lease's Current interval, else its last one.
func currentInterval(l entrata.Lease) entrata.LeaseInterval {
	for _, iv := range l.Intervals {
		if iv.StatusTypeID == int(entrata.LeaseCurrent) {
			return iv
		}
	}
	if n := len(l.Intervals); n > 0 {
		return l.Intervals[n-1]
	}
	return entrata.LeaseInterval{}
}

// leaseJSON keeps the field order of real r2 leases.
type leaseJSON struct {
	ID                  string `json:"id"`
	LeaseStatusTypeID   string `json:"leaseStatusTypeId"`
	PropertyID          string `json:"propertyId"`
	PropertyName        string `json:"propertyName,omitempty"`
	MoveInDate          string `json:"moveInDate,omitempty"`
	MoveOutDate         string `json:"moveOutDate,omitempty"`
	LeaseIntervalStatus string `json:"leaseIntervalStatus,omitempty"`
	OccupancyTypeID     string `json:"occupancyTypeId"`
	OccupancyType       string `json:"occupancyType"`
	IsMonthToMonth      any    `json:"isMonthToMonth"`
	LeaseIntervalID     string `json:"leaseIntervalId,omitempty"`
	UnitID              any    `json:"unitId"`
	UnitSpaces          any    `json:"unitSpaces,omitempty"`
	LeaseSubStatus      string `json:"leaseSubStatus,omitempty"`
	LeaseType           string `json:"leaseType"`
	ParentLeaseID       string `json:"parentLeaseId,omitempty"`
	TransferDate        string `json:"transferDate,omitempty"`
	MoveOutReason       string `json:"moveOutReason,omitempty"`
	Customers           any    `json:"customers"`
	LeaseIntervals      any    `json:"leaseIntervals,omitempty"`
}

func renderLease(l entrata.Lease, propertyName string) any {
	cur := currentInterval(l)
	j := leaseJSON{
		ID: l.ID, LeaseStatusTypeID: strconv.Itoa(int(l.Status)), PropertyID: l.PropertyID, PropertyName: propertyName,
		MoveInDate: l.MoveInDate.EntrataString(), MoveOutDate: l.MoveOutDate.EntrataString(),
		LeaseIntervalStatus: l.IntervalStatus, OccupancyTypeID: "1", OccupancyType: "Conventional",
		LeaseIntervalID: cur.ID, LeaseSubStatus: l.SubStatus, LeaseType: "Standard",
		ParentLeaseID: l.ParentLeaseID, TransferDate: l.TransferDate.EntrataString(), MoveOutReason: l.MoveOutReason,
	}
	// The flips: odd lease ids write isMonthToMonth as "0"/"1" and unitId
	// as a number; even ones the other way round.
	if odd(l.ID) {
		j.IsMonthToMonth, j.UnitID = strconv.Itoa(flag01(l.IsMonthToMonth)), num(l.UnitID)
	} else {
		j.IsMonthToMonth, j.UnitID = flag01(l.IsMonthToMonth), l.UnitID
	}
	if len(l.UnitSpaces) > 0 {
		spaces := make([]any, 0, len(l.UnitSpaces))
		for _, sp := range l.UnitSpaces {
			spaces = append(spaces, map[string]any{"unitSpaceId": num(sp.ID), "unitSpace": sp.Label})
		}
		j.UnitSpaces = map[string]any{"unitSpace": oneOrList(spaces)}
	}
	customers := make([]any, 0, len(l.Customers))
	for _, c := range l.Customers {
		customers = append(customers, renderCustomer(c))
	}
	j.Customers = map[string]any{"customer": oneOrList(customers)}
	if len(l.Intervals) > 0 {
		ivs := make([]any, 0, len(l.Intervals))
		for _, iv := range l.Intervals {
			ivs = append(ivs, renderInterval(iv, iv.ID == cur.ID))
		}
		j.LeaseIntervals = map[string]any{"leaseInterval": oneOrList(ivs)}
	}
	return j
}

func renderCustomer(c entrata.Customer) any {
	m := map[string]any{
		"id": num(c.ID), "customerType": c.Type, "relationshipName": c.Relationship,
		"leaseCustomerStatus": c.Status, "firstName": c.FirstName, "lastName": c.LastName,
		"nameFull": c.LastName + ", " + c.FirstName,
	}
	if c.Email != "" {
		m["emailAddress"] = c.Email
	}
	if !c.MoveInDate.IsZero() {
		m["moveInDate"] = c.MoveInDate.EntrataString()
	}
	if !c.MoveOutDate.IsZero() {
		m["moveOutDate"] = c.MoveOutDate.EntrataString()
	}
	if c.Phone != "" {
		m["phones"] = map[string]any{"phone": []any{map[string]any{
			"phoneTypeName": "Primary", "phoneType": "mobile", "phoneNumber": c.Phone, "countryCode": 1}}}
	}
	return m
}

func renderInterval(iv entrata.LeaseInterval, active bool) any {
	m := map[string]any{
		"id": num(iv.ID), "startDate": iv.StartDate.EntrataString(), "endDate": iv.EndDate.EntrataString(),
		"leaseIntervalTypeId": iv.TypeID, "leaseIntervalTypeName": iv.TypeName,
		"leaseIntervalStatusTypeId": iv.StatusTypeID, "leaseIntervalStatusTypeName": iv.StatusName,
	}
	if iv.TypeID == entrata.IntervalRenewal {
		m["applications"] = map[string]any{"application": []any{map[string]any{
			"id": iv.ID, "leaseStartDate": iv.StartDate.EntrataString(), "leaseEndDate": iv.EndDate.EntrataString(),
			"leaseIntervalTypeId": iv.TypeID, "isActiveLeaseInterval": tf(active),
		}}}
	}
	return m
}

// malformedLease is the record the MalformedNext fault injects: an
// impossible move-in date, no unitId and a customer without an id.
func malformedLease(propertyID, id string) any {
	return map[string]any{
		"id": id, "leaseStatusTypeId": "4", "propertyId": propertyID, "moveInDate": "13/45/2024",
		"leaseIntervalStatus": "Current", "isMonthToMonth": 0,
		"customers": map[string]any{"customer": map[string]any{"customerType": "Primary", "leaseCustomerStatus": "Current"}},
	}
}

func renderExpiring(l entrata.Lease, iv entrata.LeaseInterval, expires, notice entrata.Date) any {
	m := map[string]any{
		"@attributes":    map[string]any{"Id": num(l.ID)},
		"UnitId":         num(l.UnitID),
		"LeaseStarts":    iv.StartDate.EntrataString(),
		"LeaseExpires":   expires.EntrataString(),
		"IsMonthToMonth": strconv.Itoa(flag01(l.IsMonthToMonth)),
	}
	if !notice.IsZero() {
		m["NoticeDate"] = notice.EntrataString()
	}
	return m
}
