package entratasim

import (
	"errors"
	"fmt"
	"slices"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// The lease lifecycle, as pure functions on one lease (shared by the Server
// and the generator) and as Server methods that find the lease, hand out
// ids and hold the lock.

func intervalStatus(iv *entrata.LeaseInterval, st entrata.LeaseStatus) {
	iv.StatusTypeID, iv.StatusName = int(st), st.String()
}

func newInterval(id string, typeID int, start, end entrata.Date, st entrata.LeaseStatus) entrata.LeaseInterval {
	names := map[int]string{entrata.IntervalApplication: "Application", entrata.IntervalRenewal: "Renewal", entrata.IntervalTransfer: "Transfer"}
	iv := entrata.LeaseInterval{ID: id, StartDate: start, EndDate: end, TypeID: typeID, TypeName: names[typeID]}
	intervalStatus(&iv, st)
	return iv
}

func setStatus(l *entrata.Lease, st entrata.LeaseStatus) {
	l.Status, l.IntervalStatus = st, st.String()
}

// giveNotice puts a Current (or Notice) lease on notice to move out.
func giveNotice(l *entrata.Lease, moveOut entrata.Date) error {
	if l.Status != entrata.LeaseCurrent && l.Status != entrata.LeaseNotice {
		return fmt.Errorf("lease %s is %s, not Current or Notice", l.ID, l.Status)
	}
	if moveOut.IsZero() || moveOut.Before(l.MoveInDate) {
		return fmt.Errorf("lease %s: move-out date must be on or after the move-in date", l.ID)
	}
	setStatus(l, entrata.LeaseNotice)
	l.MoveOutDate = moveOut
	return nil
}

// renewLease adds a Renewal interval on the same lease id. The interval is
// Current when it has started by today (earlier Current intervals become
// Past), Future otherwise. The lease is Current again, with no move-out.
func renewLease(l *entrata.Lease, start, end entrata.Date, intervalID string, today entrata.Date) error {
	if l.Status != entrata.LeaseCurrent && l.Status != entrata.LeaseNotice {
		return fmt.Errorf("lease %s is %s, not Current or Notice", l.ID, l.Status)
	}
	if start.IsZero() {
		start = currentInterval(*l).EndDate.AddDays(1)
	}
	if end.IsZero() || end.Before(start) {
		return fmt.Errorf("lease %s: renewal end must be after its start", l.ID)
	}
	st := entrata.LeaseFuture
	if !start.After(today) {
		st = entrata.LeaseCurrent
		for i := range l.Intervals {
			if l.Intervals[i].StatusTypeID == int(entrata.LeaseCurrent) {
				intervalStatus(&l.Intervals[i], entrata.LeasePast)
			}
		}
	}
	l.Intervals = append(l.Intervals, newInterval(intervalID, entrata.IntervalRenewal, start, end, st))
	setStatus(l, entrata.LeaseCurrent)
	l.MoveOutDate, l.MoveOutReason, l.SubStatus, l.IsMonthToMonth = entrata.Date{}, "", "Renewed", false
	return nil
}

// transferLease moves the lease's active residents to toUnit from date: the
// new lease is Future with parentLeaseId, transferDate and a Transfer
// interval; the old lease goes on notice for that date.
func transferLease(old *entrata.Lease, toUnit entrata.Unit, date entrata.Date, newLeaseID, intervalID string) (entrata.Lease, error) {
	if old.Status != entrata.LeaseCurrent && old.Status != entrata.LeaseNotice {
		return entrata.Lease{}, fmt.Errorf("lease %s is %s, not Current or Notice", old.ID, old.Status)
	}
	if date.IsZero() || !date.After(old.MoveInDate) {
		return entrata.Lease{}, fmt.Errorf("lease %s: transfer date must be after the move-in date", old.ID)
	}
	nl := entrata.Lease{
		ID: newLeaseID, PropertyID: old.PropertyID, UnitID: toUnit.ID, UnitSpaces: slices.Clone(toUnit.Spaces),
		MoveInDate: date, ParentLeaseID: old.ID, TransferDate: date,
		Intervals: []entrata.LeaseInterval{newInterval(intervalID, entrata.IntervalTransfer, date, date.AddDays(364), entrata.LeaseFuture)},
	}
	setStatus(&nl, entrata.LeaseFuture)
	for _, c := range old.Customers {
		if c.Status == "Cancelled" || c.Status == "Past" {
			continue
		}
		c.Status, c.MoveInDate, c.MoveOutDate = "Future", date, entrata.Date{}
		nl.Customers = append(nl.Customers, c)
	}
	if len(nl.Customers) == 0 {
		return entrata.Lease{}, fmt.Errorf("lease %s has no active customer to transfer", old.ID)
	}
	if err := giveNotice(old, date); err != nil {
		return entrata.Lease{}, err
	}
	old.MoveOutReason = "Transfer"
	return nl, nil
}

// moveIn turns a Future lease Current, with its customers and intervals.
func moveIn(l *entrata.Lease) error {
	if l.Status != entrata.LeaseFuture {
		return fmt.Errorf("lease %s is %s, not Future", l.ID, l.Status)
	}
	setStatus(l, entrata.LeaseCurrent)
	for i := range l.Customers {
		if l.Customers[i].Status == "Future" {
			l.Customers[i].Status = "Current"
		}
	}
	for i := range l.Intervals {
		switch l.Intervals[i].StatusTypeID {
		case int(entrata.LeaseCurrent):
			intervalStatus(&l.Intervals[i], entrata.LeasePast)
		case int(entrata.LeaseFuture):
			intervalStatus(&l.Intervals[i], entrata.LeaseCurrent)
		}
	}
	return nil
}

// moveOut ends a lease: Past, with its active customers Past on that date.
func moveOut(l *entrata.Lease, date entrata.Date) error {
	if l.Status == entrata.LeasePast {
		return fmt.Errorf("lease %s is already Past", l.ID)
	}
	if date.IsZero() {
		date = l.MoveOutDate
	}
	if date.IsZero() {
		return errors.New("a move-out date is required")
	}
	setStatus(l, entrata.LeasePast)
	l.MoveOutDate = date
	for i := range l.Customers {
		if c := &l.Customers[i]; c.Status == "Current" || c.Status == "Future" {
			c.Status, c.MoveOutDate = "Past", date
		}
	}
	for i := range l.Intervals {
		if l.Intervals[i].StatusTypeID == int(entrata.LeaseCurrent) {
			intervalStatus(&l.Intervals[i], entrata.LeasePast)
		}
	}
	return nil
}
