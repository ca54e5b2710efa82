package entrata

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is an Entrata calendar date: a year, month and day with no time and no
// zone. Entrata dates carry no zone; the zone belongs to the property, so a
// Date becomes an instant only through Date.At with the property's location.
// The zero Date means "absent".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses Entrata's MM/DD/YYYY (and, leniently, YYYY-MM-DD). An empty
// string gives the zero Date and no error.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	layouts := []string{"01/02/2006", "1/2/2006", "2006-01-02"}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, nil
		}
	}
	return Date{}, fmt.Errorf("date %q is not MM/DD/YYYY", s)
}

// MustDate builds a Date from its parts; it is meant for tests and generators.
func MustDate(year int, month time.Month, day int) Date {
	d := Date{Year: year, Month: month, Day: day}
	if !d.Valid() {
		panic(fmt.Sprintf("invalid date %04d-%02d-%02d", year, month, day))
	}
	return d
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

// IsZero reports whether the date is absent.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d names a real calendar day.
func (d Date) Valid() bool {
	if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Year < 1 {
		return false
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return t.Year() == d.Year && t.Month() == d.Month && t.Day() == d.Day
}

// At returns the instant of the wall-clock time hour:minute on this date in
// loc, as time.Date computes it. Beware DST: a wall time skipped on a
// spring-forward day comes back an hour early (02:30 becomes 01:30 standard
// time); the access policy uses its own rule for such times.
func (d Date) At(hour, minute int, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
}

// AddDays returns the date n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is strictly after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String formats the date as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// EntrataString formats the date as Entrata writes it: MM/DD/YYYY.
func (d Date) EntrataString() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d/%02d/%04d", int(d.Month), d.Day, d.Year)
}

// MarshalJSON writes "YYYY-MM-DD", or "" for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD" or "MM/DD/YYYY".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// LeaseStatus is Entrata's lease status type id.
type LeaseStatus int

// Lease status type ids as Entrata numbers them.
const (
	LeaseApplicant LeaseStatus = 1
	LeaseCancelled LeaseStatus = 2
	LeaseFuture    LeaseStatus = 3
	LeaseCurrent   LeaseStatus = 4
	LeaseNotice    LeaseStatus = 5
	LeasePast      LeaseStatus = 6
)

// String names the status as Entrata does.
func (s LeaseStatus) String() string {
	switch s {
	case LeaseApplicant:
		return "Applicant"
	case LeaseCancelled:
		return "Cancelled"
	case LeaseFuture:
		return "Future"
	case LeaseCurrent:
		return "Current"
	case LeaseNotice:
		return "Notice"
	case LeasePast:
		return "Past"
	}
	return "LeaseStatus(" + strconv.Itoa(int(s)) + ")"
}

// Lease interval type ids as Entrata numbers them.
const (
	IntervalApplication = 1
	IntervalRenewal     = 3
	IntervalTransfer    = 5
)

// Property is one Entrata property (getProperties).
type Property struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Type     string `json:"type,omitempty"`
	Disabled bool   `json:"disabled,omitempty"`
	ParentID string `json:"parentId,omitempty"`
}

// Unit is one rentable unit of a property (getPropertyUnits).
type Unit struct {
	ID           string      `json:"id"`
	PropertyID   string      `json:"propertyId"`
	Number       string      `json:"unitNumber"`
	BuildingID   string      `json:"buildingId,omitempty"`
	BuildingName string      `json:"buildingName,omitempty"`
	Spaces       []UnitSpace `json:"unitSpaces,omitempty"`
}

// UnitSpace is a rentable space inside a unit (a bedroom in student housing,
// or the whole unit).
type UnitSpace struct {
	ID    string `json:"unitSpaceId"`
	Label string `json:"unitSpace"`
}

// Lease is one getLeases r2 lease with its customers and intervals.
type Lease struct {
	ID             string          `json:"id"`
	PropertyID     string          `json:"propertyId"`
	Status         LeaseStatus     `json:"leaseStatusTypeId"`
	IntervalStatus string          `json:"leaseIntervalStatus,omitempty"`
	SubStatus      string          `json:"leaseSubStatus,omitempty"`
	UnitID         string          `json:"unitId"`
	UnitSpaces     []UnitSpace     `json:"unitSpaces,omitempty"`
	MoveInDate     Date            `json:"moveInDate"`
	MoveOutDate    Date            `json:"moveOutDate"`
	IsMonthToMonth bool            `json:"isMonthToMonth,omitempty"`
	ParentLeaseID  string          `json:"parentLeaseId,omitempty"`
	TransferDate   Date            `json:"transferDate"`
	MoveOutReason  string          `json:"moveOutReason,omitempty"`
	Customers      []Customer      `json:"customers,omitempty"`
	Intervals      []LeaseInterval `json:"leaseIntervals,omitempty"`
	// Invalid, when set, says why the decoder could not use the lease
	// record (a fault of the lease itself). Customers then holds the
	// customers it could identify, so that the policy leaves them as they
	// are; nothing else in the lease can be trusted.
	Invalid string `json:"-"`
	// Unidentified counts the people the record names whose id could not
	// be read: any Brivo user missing from the answer may be one of them.
	Unidentified int `json:"-"`
}

// Customer is one person on a lease. FirstName, LastName, Email and Phone are
// personal data: never log them or put them in error strings.
type Customer struct {
	ID           string `json:"id"`
	Type         string `json:"customerType"`     // Primary, Co-Applicant, Occupant, Guarantor, ...
	Relationship string `json:"relationshipName"` // Primary, Roommate, Spouse, Child, Guarantor, Other
	Status       string `json:"leaseCustomerStatus"`
	FirstName    string `json:"firstName,omitempty"`
	LastName     string `json:"lastName,omitempty"`
	Email        string `json:"emailAddress,omitempty"`
	Phone        string `json:"phone,omitempty"`
	MoveInDate   Date   `json:"moveInDate"`
	MoveOutDate  Date   `json:"moveOutDate"`
	// Invalid, when set, says why the decoder could not use this
	// customer's record (never personal data); the rest of the lease is
	// valid. The policy leaves an invalid customer as they are.
	Invalid string `json:"-"`
}

// String identifies the customer without personal data.
func (c Customer) String() string {
	return fmt.Sprintf("customer %s (%s, %s)", c.ID, c.Type, c.Status)
}

// LeaseInterval is one interval of a lease: the application, a renewal or a
// transfer.
type LeaseInterval struct {
	ID           string `json:"id"`
	StartDate    Date   `json:"startDate"`
	EndDate      Date   `json:"endDate"`
	TypeID       int    `json:"leaseIntervalTypeId"`
	TypeName     string `json:"leaseIntervalTypeName,omitempty"`
	StatusTypeID int    `json:"leaseIntervalStatusTypeId,omitempty"`
	StatusName   string `json:"leaseIntervalStatusTypeName,omitempty"`
}

// RecordProblem says which record of a response could not be used, which
// field, and why. It never carries personal data.
type RecordProblem struct {
	Kind string `json:"kind"` // "lease", "customer", "unit", "property"
	ID   string `json:"id"`   // the record's id, or "#<index>" when it has none
	// LeaseID and CustomerID name the lease and customer a lease or
	// customer problem belongs to, when they are known.
	LeaseID    string `json:"leaseId,omitempty"`
	CustomerID string `json:"customerId,omitempty"`
	Field      string `json:"field"`  // the offending field, e.g. "moveInDate"
	Reason     string `json:"reason"` // what is wrong with it
}

// Error implements error.
func (p RecordProblem) Error() string {
	return fmt.Sprintf("%s %s: field %s: %s", p.Kind, p.ID, p.Field, p.Reason)
}
