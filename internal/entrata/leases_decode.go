package entrata

import (
	"encoding/json"
	"errors"
	"fmt"
)

// decodeLeasesResult decodes a getLeases r2 result ({"leases":{"lease":...}}).
// Problems are reported per record. A lease with a fault of its own is kept
// with Lease.Invalid set when it still names a customer, so that the policy
// leaves those customers as they are instead of taking them for gone; a
// customer with a fault is kept with Customer.Invalid set and the rest of
// the lease is used normally. Only records that name nobody are left out. pos is
// the position of the page's first record in the whole fetch, used to name
// records that have no id. It fails only when the result as a whole is not
// a lease list.
func decodeLeasesResult(result json.RawMessage, pos int) (leases []Lease, problems []RecordProblem, rawCount int, err error) {
	if isEmptyJSON(result) {
		return nil, nil, 0, nil
	}
	r, err := parseRecord(result)
	if err != nil {
		return nil, nil, 0, errors.New("result is not an object")
	}
	items, err := listItems(r.raw("leases"), "lease")
	if err != nil {
		return nil, nil, 0, fmt.Errorf("result.leases: %w", err)
	}
	for i, item := range items {
		l, probs, ok := decodeLease(item, pos+i)
		problems = append(problems, probs...)
		if ok || len(l.Customers) > 0 || l.Unidentified > 0 {
			leases = append(leases, l)
		}
	}
	return leases, problems, len(items), nil
}

// leaseCheck collects the problems of one lease record, or of one customer
// record on it (customer set).
type leaseCheck struct {
	id         string
	leaseID    string // the lease's id when known, for problems
	customerID string // the customer's id when checking a customer record
	problems   []RecordProblem
	dropped    bool
	// unidentified counts the people the record names without a usable id.
	unidentified int
}

// fail records a problem that makes the record (lease or customer) unusable.
func (c *leaseCheck) fail(field, reason string) {
	p := RecordProblem{Kind: "lease", ID: c.id, LeaseID: c.leaseID, Field: field, Reason: reason}
	if c.customerID != "" {
		p.Kind, p.ID, p.CustomerID = "customer", c.customerID, c.customerID
	}
	c.problems = append(c.problems, p)
	c.dropped = true
}

func (c *leaseCheck) str(r record, field, prefix string) string {
	s, err := r.str(field)
	if err != nil {
		c.fail(prefix+field, err.Error())
	}
	return s
}

func (c *leaseCheck) date(r record, field, prefix string) Date {
	d, err := r.date(field)
	if err != nil {
		c.fail(prefix+field, err.Error())
	}
	return d
}

// decodeLease decodes and validates one lease. ok is false when the lease
// itself has a fault; problems then say why, and the lease comes back with
// Invalid set and the customers that could be identified, so that none of
// them is taken for gone. A fault in one customer's record marks that
// customer alone (Customer.Invalid) and leaves the lease and its other
// customers valid. A customer without an id is dropped and reported: it
// cannot be matched to anyone.
func decodeLease(raw json.RawMessage, pos int) (Lease, []RecordProblem, bool) {
	c := &leaseCheck{id: fmt.Sprintf("#%d", pos)}
	c.leaseID = c.id // until the id is read: problems always name their lease record
	r, err := parseRecord(raw)
	if err != nil {
		c.fail("(record)", err.Error())
		return Lease{ID: c.id, Invalid: "(record): " + err.Error(), Unidentified: 1}, c.problems, false
	}
	id, err := r.str("id")
	switch {
	case err != nil:
		c.fail("id", err.Error())
	case id == "":
		c.fail("id", "missing")
	default:
		c.id, c.leaseID = id, id
	}
	l := Lease{ID: id}
	if n, ok, err := r.integer("leaseStatusTypeId"); !ok {
		c.fail("leaseStatusTypeId", "missing")
	} else if err != nil || n < int(LeaseApplicant) || n > int(LeasePast) {
		c.fail("leaseStatusTypeId", "not a known lease status type id (1..6)")
	} else {
		l.Status = LeaseStatus(n)
	}
	if l.PropertyID = c.str(r, "propertyId", ""); l.PropertyID == "" && !c.has("propertyId") {
		c.fail("propertyId", "missing")
	}
	if l.UnitID = c.str(r, "unitId", ""); l.UnitID == "" && !c.has("unitId") {
		c.fail("unitId", "missing")
	}
	l.IntervalStatus = c.str(r, "leaseIntervalStatus", "")
	l.SubStatus = c.str(r, "leaseSubStatus", "")
	l.ParentLeaseID = c.str(r, "parentLeaseId", "")
	l.MoveOutReason = c.str(r, "moveOutReason", "")
	l.MoveInDate = c.date(r, "moveInDate", "")
	l.MoveOutDate = c.date(r, "moveOutDate", "")
	l.TransferDate = c.date(r, "transferDate", "")
	if m, err := r.flag("isMonthToMonth"); err != nil {
		c.fail("isMonthToMonth", err.Error())
	} else {
		l.IsMonthToMonth = m
	}
	l.UnitSpaces = c.unitSpaces(r.raw("unitSpaces"))
	l.Customers = c.customers(r.raw("customers"))
	l.Intervals = c.intervals(r.raw("leaseIntervals"))

	if !l.MoveInDate.IsZero() && !l.MoveOutDate.IsZero() && l.MoveOutDate.Before(l.MoveInDate) {
		c.fail("moveOutDate", "before moveInDate")
	}
	// A missing move-in is not a decoding fault: the policy decides, per
	// customer, whether a date is needed (a past resident needs none).
	l.Unidentified = c.unidentified
	if c.dropped {
		l.ID = c.id // "#<pos>" when the lease has no id, so it stays distinct
		for _, p := range c.problems {
			if p.Kind == "lease" {
				l.Invalid = p.Field + ": " + p.Reason
				break
			}
		}
		if l.Invalid == "" {
			l.Invalid = "lease record has faults"
		}
	}
	return l, c.problems, !c.dropped
}

// has reports whether a problem already names field, so that one fault is
// reported once.
func (c *leaseCheck) has(field string) bool {
	for _, p := range c.problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

func (c *leaseCheck) unitSpaces(raw json.RawMessage) []UnitSpace {
	items, err := listItems(raw, "unitSpace")
	if err != nil {
		c.fail("unitSpaces", err.Error())
		return nil
	}
	var out []UnitSpace
	for i, item := range items {
		prefix := fmt.Sprintf("unitSpaces[%d].", i)
		r, err := parseRecord(item)
		if err != nil {
			c.fail(prefix+"(record)", err.Error())
			continue
		}
		s := UnitSpace{ID: c.str(r, "unitSpaceId", prefix), Label: c.str(r, "unitSpace", prefix)}
		if s.Label == "" {
			s.Label = c.str(r, "unitNumber", prefix)
		}
		out = append(out, s)
	}
	return out
}

func (c *leaseCheck) customers(raw json.RawMessage) []Customer {
	items, err := listItems(raw, "customer")
	if err != nil {
		c.fail("customers", err.Error())
		c.unidentified++
		return nil
	}
	if len(items) == 0 {
		c.fail("customers", "no customers")
		return nil
	}
	var out []Customer
	seen, dup := map[string]int{}, map[string]bool{}
	for i, item := range items {
		cu, ok := c.customer(item, i)
		if !ok {
			continue
		}
		if j, ok := seen[cu.ID]; ok {
			// Which copy is right is unknown: keep one, marked invalid, so
			// the customer is left as they are and reported once.
			if !dup[cu.ID] {
				dup[cu.ID] = true
				out[j].Invalid = "listed more than once on the lease"
				c.problems = append(c.problems, RecordProblem{Kind: "customer", ID: cu.ID, LeaseID: c.leaseID,
					CustomerID: cu.ID, Field: "customers.id", Reason: "customer listed more than once on the lease"})
			}
			continue
		}
		seen[cu.ID] = len(out)
		out = append(out, cu)
	}
	if len(out) == 0 && !c.dropped {
		c.fail("customers", "no customer with an id")
	}
	return out
}

// customer decodes one customer; ok is false when it has no readable id and
// is dropped alone.
func (c *leaseCheck) customer(raw json.RawMessage, i int) (Customer, bool) {
	// A customer whose id cannot be read is skipped alone and counted: it
	// may be anyone (see Lease.Unidentified).
	unidentified := func(field, reason string) (Customer, bool) {
		c.problems = append(c.problems, RecordProblem{Kind: "customer", ID: fmt.Sprintf("%s/#%d", c.id, i), LeaseID: c.leaseID,
			Field: field, Reason: reason})
		c.unidentified++
		return Customer{}, false
	}
	r, err := parseRecord(raw)
	if err != nil {
		return unidentified(fmt.Sprintf("customers[%d]", i), err.Error()+"; customer skipped")
	}
	id, err := r.str("id")
	if err != nil {
		return unidentified("id", err.Error()+"; customer skipped")
	}
	if id == "" {
		return unidentified("id", "missing; customer skipped")
	}
	prefix := "customers[" + id + "]."
	cc := &leaseCheck{id: c.id, leaseID: c.leaseID, customerID: id}
	defer func() { c.problems = append(c.problems, cc.problems...) }()
	cu := Customer{
		ID:           id,
		Type:         cc.str(r, "customerType", prefix),
		Relationship: cc.str(r, "relationshipName", prefix),
		Status:       cc.str(r, "leaseCustomerStatus", prefix),
		FirstName:    cc.str(r, "firstName", prefix),
		LastName:     cc.str(r, "lastName", prefix),
		Email:        cc.str(r, "emailAddress", prefix),
		MoveInDate:   cc.date(r, "moveInDate", prefix),
		MoveOutDate:  cc.date(r, "moveOutDate", prefix),
		Phone:        firstPhone(r.raw("phones")),
	}
	if !cu.MoveInDate.IsZero() && !cu.MoveOutDate.IsZero() && cu.MoveOutDate.Before(cu.MoveInDate) {
		cc.fail(prefix+"moveOutDate", "before moveInDate")
	}
	if cc.dropped {
		cu.Invalid = cc.problems[0].Field + ": " + cc.problems[0].Reason
	}
	return cu, true
}

// firstPhone returns the first phone number of a phones wrapper. Phones are
// optional: a malformed list gives "".
func firstPhone(raw json.RawMessage) string {
	items, err := listItems(raw, "phone")
	if err != nil {
		return ""
	}
	for _, item := range items {
		r, err := parseRecord(item)
		if err != nil {
			continue
		}
		if n, err := r.str("phoneNumber"); err == nil && n != "" {
			return n
		}
	}
	return ""
}

func (c *leaseCheck) intervals(raw json.RawMessage) []LeaseInterval {
	items, err := listItems(raw, "leaseInterval")
	if err != nil {
		c.fail("leaseIntervals", err.Error())
		return nil
	}
	var out []LeaseInterval
	for i, item := range items {
		prefix := fmt.Sprintf("leaseIntervals[%d].", i)
		r, err := parseRecord(item)
		if err != nil {
			c.fail(prefix+"(record)", err.Error())
			continue
		}
		iv := LeaseInterval{
			ID:         c.str(r, "id", prefix),
			StartDate:  c.date(r, "startDate", prefix),
			EndDate:    c.date(r, "endDate", prefix),
			TypeName:   c.str(r, "leaseIntervalTypeName", prefix),
			StatusName: c.str(r, "leaseIntervalStatusTypeName", prefix),
		}
		if n, _, err := r.integer("leaseIntervalTypeId"); err != nil {
			c.fail(prefix+"leaseIntervalTypeId", "not an integer")
		} else {
			iv.TypeID = n
		}
		if n, _, err := r.integer("leaseIntervalStatusTypeId"); err != nil {
			c.fail(prefix+"leaseIntervalStatusTypeId", "not an integer")
		} else {
			iv.StatusTypeID = n
		}
		if !iv.StartDate.IsZero() && !iv.EndDate.IsZero() && iv.EndDate.Before(iv.StartDate) {
			c.fail(prefix+"endDate", "before startDate")
		}
		out = append(out, iv)
	}
	return out
}
