package entrata

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// maxPages bounds one GetLeases fetch: 1000 pages of up to 1000 leases is
// far beyond any property, so reaching it means the server is misbehaving.
const maxPages = 1000

// ErrPageRepeated reports a getLeases page that repeated the previous one:
// the server ignores page_no, so the rest of the leases cannot be fetched.
var ErrPageRepeated = errors.New("entrata getLeases: server repeated a page; the lease list is incomplete")

// LeaseQuery selects the leases of one property for GetLeases.
type LeaseQuery struct {
	PropertyID      string        // required
	Statuses        []LeaseStatus // leaseStatusTypeIds; empty means Entrata's default, Current and Notice only
	MoveOutDateFrom Date          // bounds Past (and any lease with a move-out date); zero for no bound
	CustomerID      string        // only leases of this customer
	LeaseIDs        []string      // only these leases
}

func (q LeaseQuery) params() map[string]string {
	p := map[string]string{"propertyId": q.PropertyID}
	if len(q.Statuses) > 0 {
		ids := make([]string, len(q.Statuses))
		for i, s := range q.Statuses {
			ids[i] = strconv.Itoa(int(s))
		}
		p["leaseStatusTypeIds"] = strings.Join(ids, ",")
	}
	if !q.MoveOutDateFrom.IsZero() {
		p["moveOutDateFrom"] = q.MoveOutDateFrom.EntrataString()
	}
	if q.CustomerID != "" {
		p["customerId"] = q.CustomerID
	}
	if len(q.LeaseIDs) > 0 {
		p["leaseIds"] = strings.Join(q.LeaseIDs, ",")
	}
	return p
}

// GetLeases calls getLeases r2 (service "leases") for one property and
// fetches every page through page_no/per_page. It stops on a short page,
// when X-Total-Count records have been read, or with ErrPageRepeated when
// a page brings nothing new. Leases that fail validation are left out and
// returned as problems; the rest still decode. The Response is the last
// page's. On error no leases are returned: a partial list must not be
// mistaken for the whole.
func (c *Client) GetLeases(ctx context.Context, q LeaseQuery) ([]Lease, []RecordProblem, *Response, error) {
	if strings.TrimSpace(q.PropertyID) == "" {
		return nil, nil, nil, errors.New("entrata getLeases: property id is required")
	}
	var (
		leases   []Lease
		problems []RecordProblem
		resp     *Response
		prev     []byte
		read     int
		seen     = map[string][]int{} // lease id -> indices in leases
		reported = map[RecordProblem]bool{}
	)
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, problems, resp, fmt.Errorf("entrata getLeases: stopped after %d pages", maxPages)
		}
		cl := call{service: "leases", method: "getLeases", version: "r2", params: q.params(),
			query: url.Values{"page_no": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(c.perPage)}}}
		result, r, err := c.do(ctx, cl)
		if r != nil {
			resp = r
		}
		if err != nil {
			return nil, problems, resp, err
		}
		pageLeases, pageProblems, n, err := decodeLeasesResult(result, read)
		if err != nil {
			return nil, problems, resp, &DecodeError{Service: cl.service, Method: cl.method, HTTPStatus: resp.HTTPStatus, Reason: err.Error()}
		}
		fresh := 0
		for _, l := range pageLeases {
			// A lease repeated across pages is kept once. Two different
			// leases with one id are both kept: dropping either would take
			// its residents for gone; the policy reports the duplicate id.
			if slices.ContainsFunc(seen[l.ID], func(i int) bool { return reflect.DeepEqual(leases[i], l) }) {
				continue
			}
			seen[l.ID] = append(seen[l.ID], len(leases))
			leases = append(leases, l)
			fresh++
		}
		for _, p := range pageProblems {
			if !reported[p] {
				reported[p] = true
				problems = append(problems, p)
				fresh++
			}
		}
		repeated := n > 0 && (fresh == 0 || bytes.Equal(result, prev))
		if repeated {
			return nil, problems, resp, fmt.Errorf("%w (page %d)", ErrPageRepeated, page)
		}
		read += n
		prev = result
		if n < c.perPage || (resp.TotalCount > 0 && read >= resp.TotalCount) {
			return leases, problems, resp, nil
		}
	}
}
