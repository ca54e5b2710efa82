package entratasim

import (
	"fmt"
	"slices"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// UpsertLease adds the lease to the property, or replaces the lease with the
// same id. Missing lease, customer and interval ids are assigned. The lease
// is stored as given, so tests can load odd records on purpose.
func (s *Server) UpsertLease(propertyID string, l entrata.Lease) error {
	_, err := s.upsertLease(propertyID, l)
	return err
}

func (s *Server) upsertLease(propertyID string, l entrata.Lease) (entrata.Lease, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.property(propertyID)
	if pd == nil {
		return entrata.Lease{}, fmt.Errorf("property %s not found", propertyID)
	}
	l = cloneLease(l)
	l.PropertyID = propertyID
	if l.ID == "" {
		l.ID = s.seq.next("lease")
	}
	for i := range l.Customers {
		if l.Customers[i].ID == "" {
			l.Customers[i].ID = s.seq.next("customer")
		}
	}
	for i := range l.Intervals {
		if l.Intervals[i].ID == "" {
			l.Intervals[i].ID = s.seq.next("interval")
		}
	}
	if i := slices.IndexFunc(pd.Leases, func(x entrata.Lease) bool { return x.ID == l.ID }); i >= 0 {
		pd.Leases[i] = l
	} else {
		pd.Leases = append(pd.Leases, l)
	}
	s.seq.reset(s.props)
	return cloneLease(l), nil
}

// DeleteLease removes a lease, as when Entrata deletes it outright.
func (s *Server) DeleteLease(propertyID, leaseID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, _, err := s.lease(propertyID, leaseID)
	if err != nil {
		return err
	}
	pd.Leases = slices.DeleteFunc(pd.Leases, func(x entrata.Lease) bool { return x.ID == leaseID })
	return nil
}

// change runs f on one lease under the lock.
func (s *Server) change(propertyID, leaseID string, f func(pd *PropertyData, l *entrata.Lease) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, l, err := s.lease(propertyID, leaseID)
	if err != nil {
		return err
	}
	return f(pd, l)
}

// GiveNotice puts a lease on notice with its move-out date; the notice date
// (for getExpiringLeases) is the simulated today.
func (s *Server) GiveNotice(propertyID, leaseID string, moveOutDate entrata.Date) error {
	return s.change(propertyID, leaseID, func(_ *PropertyData, l *entrata.Lease) error {
		if err := giveNotice(l, moveOutDate); err != nil {
			return err
		}
		s.noticeDates[l.ID] = s.today()
		return nil
	})
}

// WithdrawNotice takes a Notice lease back to Current with no move-out date.
func (s *Server) WithdrawNotice(propertyID, leaseID string) error {
	return s.change(propertyID, leaseID, func(_ *PropertyData, l *entrata.Lease) error {
		if l.Status != entrata.LeaseNotice {
			return fmt.Errorf("lease %s is %s, not Notice", l.ID, l.Status)
		}
		setStatus(l, entrata.LeaseCurrent)
		l.MoveOutDate, l.MoveOutReason = entrata.Date{}, ""
		delete(s.noticeDates, l.ID)
		return nil
	})
}

// Renew adds a Renewal interval start..end on the same lease id, clears the
// move-out date and makes the lease Current. A zero start means the day
// after the current interval ends.
func (s *Server) Renew(propertyID, leaseID string, start, end entrata.Date) error {
	return s.change(propertyID, leaseID, func(_ *PropertyData, l *entrata.Lease) error {
		delete(s.noticeDates, l.ID)
		return renewLease(l, start, end, s.seq.next("interval"), s.today())
	})
}

// Transfer moves a lease's active residents to toUnitID from date and
// returns the new Future lease's id (parentLeaseId points back; the old
// lease goes on notice for date).
func (s *Server) Transfer(propertyID, leaseID, toUnitID string, date entrata.Date) (string, error) {
	var newID string
	err := s.change(propertyID, leaseID, func(pd *PropertyData, l *entrata.Lease) error {
		i := slices.IndexFunc(pd.Units, func(u entrata.Unit) bool { return u.ID == toUnitID })
		if i < 0 {
			return fmt.Errorf("unit %s not found in property %s", toUnitID, propertyID)
		}
		nl, err := transferLease(l, pd.Units[i], date, s.seq.next("lease"), s.seq.next("interval"))
		if err != nil {
			return err
		}
		s.noticeDates[l.ID] = s.today()
		pd.Leases = append(pd.Leases, nl) // may move l: nothing uses it after this
		newID = nl.ID
		return nil
	})
	return newID, err
}

// CancelCustomer marks one customer of a lease Cancelled.
func (s *Server) CancelCustomer(propertyID, leaseID, customerID string) error {
	return s.change(propertyID, leaseID, func(_ *PropertyData, l *entrata.Lease) error {
		for i := range l.Customers {
			if l.Customers[i].ID == customerID {
				l.Customers[i].Status = "Cancelled"
				return nil
			}
		}
		return fmt.Errorf("customer %s not on lease %s", customerID, leaseID)
	})
}

// AddCustomer adds a customer to a lease (a new roommate or guarantor) and
// returns its id, assigned when c.ID is empty.
func (s *Server) AddCustomer(propertyID, leaseID string, c entrata.Customer) (string, error) {
	err := s.change(propertyID, leaseID, func(_ *PropertyData, l *entrata.Lease) error {
		if c.ID == "" {
			c.ID = s.seq.next("customer")
		}
		if slices.ContainsFunc(l.Customers, func(x entrata.Customer) bool { return x.ID == c.ID }) {
			return fmt.Errorf("customer %s already on lease %s", c.ID, leaseID)
		}
		l.Customers = append(l.Customers, c)
		return nil
	})
	return c.ID, err
}

// MoveIn makes a Future lease Current. For a transfer, the parent lease
// becomes Past on the same day.
func (s *Server) MoveIn(propertyID, leaseID string) error {
	return s.change(propertyID, leaseID, func(pd *PropertyData, l *entrata.Lease) error {
		if err := moveIn(l); err != nil {
			return err
		}
		if l.ParentLeaseID == "" {
			return nil
		}
		for i := range pd.Leases {
			if p := &pd.Leases[i]; p.ID == l.ParentLeaseID && p.Status != entrata.LeasePast {
				return moveOut(p, l.MoveInDate)
			}
		}
		return nil
	})
}

// MoveOut ends a lease on date (or on its move-out date when date is zero).
func (s *Server) MoveOut(propertyID, leaseID string, date entrata.Date) error {
	return s.change(propertyID, leaseID, func(_ *PropertyData, l *entrata.Lease) error {
		return moveOut(l, date)
	})
}
