package entratasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// call is one authenticated API call being answered.
type call struct {
	service         string
	reqID           string
	req             apiRequest
	injectMalformed bool
}

// param returns a request param as text, whether sent as string or number.
func (c call) param(name string) string {
	raw, ok := c.req.Method.Params[name]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	v := strings.TrimSpace(string(raw))
	if v == "null" {
		return ""
	}
	return v
}

// badParam answers Entrata's "Invalid parameter" envelope, with HTTP 200 as
// the real API does.
func badParam(w http.ResponseWriter, c call, msg string) {
	writeEnvelopeError(w, http.StatusOK, c.reqID, 301, "Invalid parameter: "+msg)
}

// dispatch answers the method; callers hold s.mu.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, c call) {
	switch c.service + "/" + c.req.Method.Name {
	case "status/getStatus":
		writeResult(w, c.reqID, map[string]any{"status": "Success", "message": "API service is available and running."})
	case "properties/getProperties":
		s.getProperties(w, c)
	case "propertyunits/getPropertyUnits":
		s.getPropertyUnits(w, c)
	case "leases/getLeases":
		s.getLeases(w, r.URL.Query(), c)
	case "leases/getExpiringLeases":
		s.getExpiringLeases(w, c)
	default:
		writeEnvelopeError(w, http.StatusOK, c.reqID, 302,
			fmt.Sprintf("Method '%s' is not available for service '%s'.", c.req.Method.Name, c.service))
	}
}

func splitIDs(v string) []string {
	var out []string
	for p := range strings.SplitSeq(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) getProperties(w http.ResponseWriter, c call) {
	want := splitIDs(c.param("propertyIds"))
	showAll := c.param("showAllStatus") == "1"
	props := []any{}
	for _, pd := range s.props {
		if len(want) > 0 && !slices.Contains(want, pd.Property.ID) {
			continue
		}
		if pd.Property.Disabled && !showAll {
			continue
		}
		props = append(props, renderProperty(pd.Property))
	}
	writeResult(w, c.reqID, map[string]any{"PhysicalProperty": map[string]any{"Property": props}})
}

func (s *Server) getPropertyUnits(w http.ResponseWriter, c call) {
	want := splitIDs(c.param("propertyIds"))
	if len(want) == 0 {
		badParam(w, c, "propertyIds is required.")
		return
	}
	props := []any{}
	for _, id := range want {
		pd := s.property(id)
		if pd == nil {
			badParam(w, c, "propertyIds contains an id this API user cannot access: "+id+".")
			return
		}
		props = append(props, renderPropertyUnits(pd))
	}
	writeResult(w, c.reqID, map[string]any{"properties": map[string]any{"property": props}})
}

// getLeases serves getLeases: Current and Notice unless leaseStatusTypeIds
// says otherwise; moveOutDateFrom drops leases that moved (or will move) out
// before it and keeps those with no move-out date; pages through page_no and
// per_page in the query string (all leases in one page when both are absent).
func (s *Server) getLeases(w http.ResponseWriter, query url.Values, c call) {
	propertyID := c.param("propertyId")
	if propertyID == "" {
		badParam(w, c, "propertyId is required.")
		return
	}
	pd := s.property(propertyID)
	if pd == nil {
		badParam(w, c, "propertyId "+propertyID+" is not accessible to this API user.")
		return
	}
	statuses := []entrata.LeaseStatus{entrata.LeaseCurrent, entrata.LeaseNotice}
	if v := c.param("leaseStatusTypeIds"); v != "" {
		statuses = nil
		for _, id := range splitIDs(v) {
			n, err := strconv.Atoi(id)
			if err != nil || n < 1 || n > 6 {
				badParam(w, c, "leaseStatusTypeIds must be comma-separated ids from 1 to 6.")
				return
			}
			statuses = append(statuses, entrata.LeaseStatus(n))
		}
	}
	var from entrata.Date
	if v := c.param("moveOutDateFrom"); v != "" {
		d, err := entrata.ParseDate(v)
		if err != nil {
			badParam(w, c, "moveOutDateFrom must be a date in MM/DD/YYYY format.")
			return
		}
		from = d
	}
	customerID := c.param("customerId")
	leaseIDs := splitIDs(c.param("leaseIds"))

	var matched []entrata.Lease
	if !s.empty[propertyID] {
		for _, l := range pd.Leases {
			switch {
			case !slices.Contains(statuses, l.Status):
			case !from.IsZero() && !l.MoveOutDate.IsZero() && l.MoveOutDate.Before(from):
			case len(leaseIDs) > 0 && !slices.Contains(leaseIDs, l.ID):
			case customerID != "" && !slices.ContainsFunc(l.Customers, func(cu entrata.Customer) bool { return cu.ID == customerID }):
			default:
				matched = append(matched, l)
			}
		}
	}
	page, perPage, ok := pageParams(query)
	if !ok {
		badParam(w, c, "page_no must be 1 or more and per_page between 5 and 1000.")
		return
	}
	total := len(matched)
	if perPage > 0 {
		start := min((page-1)*perPage, total)
		end := min(start+perPage, total)
		matched = matched[start:end]
		if end < total {
			w.Header().Set("Link", fmt.Sprintf(`<?page_no=%d&per_page=%d>; rel="next"`, page+1, perPage))
		}
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	items := make([]any, 0, len(matched)+1)
	for _, l := range matched {
		items = append(items, renderLease(l, pd.Property.Name))
	}
	if c.injectMalformed {
		items = append(items, malformedLease(propertyID, s.seq.next("lease")))
	}
	writeResult(w, c.reqID, map[string]any{"leases": map[string]any{"lease": oneOrList(items)}})
}

// pageParams reads page_no/per_page; perPage 0 means "no paging".
func pageParams(q url.Values) (page, perPage int, ok bool) {
	pn, pp := q.Get("page_no"), q.Get("per_page")
	if pn == "" && pp == "" {
		return 1, 0, true
	}
	page, perPage = 1, 500
	var err error
	if pn != "" {
		if page, err = strconv.Atoi(pn); err != nil || page < 1 {
			return 0, 0, false
		}
	}
	if pp != "" {
		if perPage, err = strconv.Atoi(pp); err != nil || perPage < 5 || perPage > 1000 {
			return 0, 0, false
		}
	}
	return page, perPage, true
}

// getExpiringLeases lists Current and Notice leases whose term (or notice
// move-out) ends within fromDate..toDate, in the PascalCase shape.
func (s *Server) getExpiringLeases(w http.ResponseWriter, c call) {
	propertyID := c.param("propertyId")
	if propertyID == "" {
		badParam(w, c, "propertyId is required.")
		return
	}
	to, err := entrata.ParseDate(c.param("toDate"))
	if err != nil || to.IsZero() {
		badParam(w, c, "toDate is required in MM/DD/YYYY format.")
		return
	}
	from, err := entrata.ParseDate(c.param("fromDate"))
	if err != nil {
		badParam(w, c, "fromDate must be in MM/DD/YYYY format.")
		return
	}
	if from.IsZero() {
		from = s.today()
	}
	pd := s.property(propertyID)
	if pd == nil {
		badParam(w, c, "propertyId "+propertyID+" is not accessible to this API user.")
		return
	}
	items := []any{}
	for _, l := range pd.Leases {
		if l.Status != entrata.LeaseCurrent && l.Status != entrata.LeaseNotice {
			continue
		}
		iv := currentInterval(l)
		expires := iv.EndDate
		if !l.MoveOutDate.IsZero() {
			expires = l.MoveOutDate
		}
		if expires.IsZero() || expires.Before(from) || expires.After(to) {
			continue
		}
		items = append(items, renderExpiring(l, iv, expires, s.noticeDates[l.ID]))
	}
	writeResult(w, c.reqID, map[string]any{"Leases": map[string]any{"Lease": oneOrList(items)}})
}
