package entrata

import (
	"context"
	"errors"
	"fmt"
)

// ExpiringLease is one record of getExpiringLeases: a lease whose term ends
// in the asked range, with its notice date when notice was given.
type ExpiringLease struct {
	LeaseID        string
	UnitID         string
	LeaseStarts    Date
	LeaseExpires   Date
	NoticeDate     Date
	IsMonthToMonth bool
}

// GetExpiringLeases calls getExpiringLeases (service "leases", r1) for one
// property and the term-end range from..to (to is required). Its PascalCase
// result carries ids in "@attributes". A record without an id or with an
// impossible date fails the call, since this method only cross-checks.
func (c *Client) GetExpiringLeases(ctx context.Context, propertyID string, from, to Date) ([]ExpiringLease, *Response, error) {
	if propertyID == "" || to.IsZero() {
		return nil, nil, errors.New("entrata getExpiringLeases: property id and to date are required")
	}
	params := map[string]string{"propertyId": propertyID, "toDate": to.EntrataString()}
	if !from.IsZero() {
		params["fromDate"] = from.EntrataString()
	}
	cl := call{service: "leases", method: "getExpiringLeases", version: "r1", params: params}
	result, resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, resp, err
	}
	out, err := decodeExpiringLeases(result)
	if err != nil {
		return nil, resp, &DecodeError{Service: cl.service, Method: cl.method, HTTPStatus: resp.HTTPStatus, Reason: err.Error()}
	}
	return out, resp, nil
}

func decodeExpiringLeases(result []byte) ([]ExpiringLease, error) {
	r, err := parseRecord(result)
	if err != nil {
		return nil, err
	}
	items, err := listItems(r.raw("Leases"), "Lease")
	if err != nil {
		return nil, fmt.Errorf("field Leases: %w", err)
	}
	out := make([]ExpiringLease, 0, len(items))
	for i, item := range items {
		lr, err := parseRecord(item)
		if err != nil {
			return nil, fmt.Errorf("field Leases[%d]: %w", i, err)
		}
		var e ExpiringLease
		var errs []error
		pick := func(err error) { errs = append(errs, err) }
		e.LeaseID, err = lr.str("Id")
		pick(err)
		e.UnitID, err = lr.str("UnitId")
		pick(err)
		e.LeaseStarts, err = lr.date("LeaseStarts")
		pick(err)
		e.LeaseExpires, err = lr.date("LeaseExpires")
		pick(err)
		e.NoticeDate, err = lr.date("NoticeDate")
		pick(err)
		e.IsMonthToMonth, err = lr.flag("IsMonthToMonth")
		pick(err)
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("lease %s (record %d): %w", e.LeaseID, i, err)
		}
		if e.LeaseID == "" {
			return nil, fmt.Errorf("record %d: lease id missing", i)
		}
		out = append(out, e)
	}
	return out, nil
}
