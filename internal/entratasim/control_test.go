package entratasim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// control sends one control call and decodes the JSON reply into out.
func control(t *testing.T, ts *httptest.Server, method, path string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ts.URL+path, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func findLease(p Portfolio, id string) entrata.Lease {
	for _, pd := range p.Properties {
		for _, l := range pd.Leases {
			if l.ID == id {
				return l
			}
		}
	}
	return entrata.Lease{}
}

// pick returns the first lease of property 100 that matches.
func pick(t *testing.T, s *Server, match func(entrata.Lease) bool) entrata.Lease {
	t.Helper()
	for _, l := range s.Portfolio().Properties[0].Leases {
		if match(l) {
			return l
		}
	}
	t.Fatal("no lease matches")
	return entrata.Lease{}
}

func plainCurrent(l entrata.Lease) bool {
	return l.Status == entrata.LeaseCurrent && l.SubStatus == "" && !l.IsMonthToMonth && len(l.Customers) > 1
}

func TestControlLifecycle(t *testing.T) {
	s, ts := newTestServer(t, nil)
	l := pick(t, s, plainCurrent)
	moveOut := genToday.AddDays(30)

	if st := control(t, ts, "POST", "/_sim/notice", map[string]any{"propertyId": "100", "leaseId": l.ID, "date": moveOut}, nil); st != 200 {
		t.Fatalf("notice: %d", st)
	}
	if got := findLease(s.Portfolio(), l.ID); got.Status != entrata.LeaseNotice || got.MoveOutDate != moveOut {
		t.Fatalf("after notice: %+v", got)
	}
	control(t, ts, "POST", "/_sim/renew", map[string]any{"propertyId": "100", "leaseId": l.ID,
		"start": genToday.AddDays(-1), "end": genToday.AddDays(363)}, nil)
	got := findLease(s.Portfolio(), l.ID)
	last := got.Intervals[len(got.Intervals)-1]
	if got.Status != entrata.LeaseCurrent || !got.MoveOutDate.IsZero() || last.TypeID != entrata.IntervalRenewal ||
		last.StatusTypeID != int(entrata.LeaseCurrent) || got.Intervals[0].StatusTypeID != int(entrata.LeasePast) {
		t.Fatalf("after renewal: %+v", got)
	}

	var cancel map[string]any
	cust := l.Customers[1].ID
	control(t, ts, "POST", "/_sim/cancel-customer", map[string]any{"propertyId": "100", "leaseId": l.ID, "customerId": cust}, &cancel)
	got = findLease(s.Portfolio(), l.ID)
	if i := slices.IndexFunc(got.Customers, func(c entrata.Customer) bool { return c.ID == cust }); got.Customers[i].Status != "Cancelled" {
		t.Fatalf("customer not cancelled: %+v", got.Customers[i])
	}

	vacant := vacantUnit(t, s)
	var tr struct{ LeaseID string }
	if st := control(t, ts, "POST", "/_sim/transfer", map[string]any{"propertyId": "100", "leaseId": l.ID, "toUnitId": vacant,
		"date": genToday.AddDays(10)}, &tr); st != 200 || tr.LeaseID == "" {
		t.Fatalf("transfer: %d %+v", st, tr)
	}
	nl, old := findLease(s.Portfolio(), tr.LeaseID), findLease(s.Portfolio(), l.ID)
	if nl.Status != entrata.LeaseFuture || nl.ParentLeaseID != l.ID || nl.TransferDate != genToday.AddDays(10) || nl.UnitID != vacant ||
		nl.Intervals[0].TypeID != entrata.IntervalTransfer || len(nl.Customers) != len(l.Customers)-1 {
		t.Fatalf("new lease: %+v", nl)
	}
	if old.Status != entrata.LeaseNotice || old.MoveOutDate != genToday.AddDays(10) {
		t.Fatalf("old lease: %+v", old)
	}
	control(t, ts, "POST", "/_sim/move-in", map[string]any{"propertyId": "100", "leaseId": tr.LeaseID}, nil)
	if nl, old := findLease(s.Portfolio(), tr.LeaseID), findLease(s.Portfolio(), l.ID); nl.Status != entrata.LeaseCurrent || old.Status != entrata.LeasePast {
		t.Fatalf("after move-in: new %s, old %s", nl.Status, old.Status)
	}

	var added struct{ CustomerID string }
	control(t, ts, "POST", "/_sim/customers", map[string]any{"propertyId": "100", "leaseId": tr.LeaseID,
		"customer": entrata.Customer{Type: "Occupant", Status: "Current", FirstName: "New", LastName: "Mate"}}, &added)
	if added.CustomerID == "" || len(findLease(s.Portfolio(), tr.LeaseID).Customers) != len(nl.Customers)+1 {
		t.Fatalf("add customer: %+v", added)
	}
	if st := control(t, ts, "POST", "/_sim/move-out", map[string]any{"propertyId": "100", "leaseId": tr.LeaseID, "date": genToday.AddDays(20)}, nil); st != 200 {
		t.Fatalf("move-out: %d", st)
	}
	if st := control(t, ts, "DELETE", "/_sim/leases/100/"+tr.LeaseID, nil, nil); st != 200 || findLease(s.Portfolio(), tr.LeaseID).ID != "" {
		t.Fatalf("delete: %d", st)
	}
	if st := control(t, ts, "POST", "/_sim/notice", map[string]any{"propertyId": "100", "leaseId": "nope", "date": moveOut}, nil); st != 409 {
		t.Errorf("notice on a missing lease: %d", st)
	}
}

func vacantUnit(t *testing.T, s *Server) string {
	t.Helper()
	pd := s.Portfolio().Properties[0]
	for _, u := range pd.Units {
		if !slices.ContainsFunc(pd.Leases, func(l entrata.Lease) bool { return l.UnitID == u.ID }) {
			return u.ID
		}
	}
	t.Fatal("no vacant unit")
	return ""
}

func TestControlPortfolioFaultsCalls(t *testing.T) {
	s, ts := newTestServer(t, nil)
	var p Portfolio
	control(t, ts, "GET", "/_sim/portfolio", nil, &p)
	if len(p.Properties) != 2 || len(p.Properties[0].Leases) == 0 {
		t.Fatalf("portfolio: %d properties", len(p.Properties))
	}
	p.Properties = p.Properties[:1]
	control(t, ts, "POST", "/_sim/portfolio", p, nil)
	if got := s.Portfolio(); len(got.Properties) != 1 || !slices.EqualFunc(got.Properties[0].Leases, p.Properties[0].Leases,
		func(a, b entrata.Lease) bool { return a.ID == b.ID && a.MoveInDate == b.MoveInDate }) {
		t.Fatal("portfolio did not round-trip")
	}
	control(t, ts, "POST", "/_sim/generate", map[string]any{"seed": 3, "properties": 3, "units": 10}, nil)
	if n := len(s.Portfolio().Properties); n != 3 {
		t.Fatalf("generate: %d properties", n)
	}

	var stored entrata.Lease
	control(t, ts, "POST", "/_sim/leases/100", entrata.Lease{Status: entrata.LeaseCurrent, UnitID: "1", MoveInDate: genToday,
		Customers: []entrata.Customer{{Type: "Primary", Status: "Current"}}}, &stored)
	if stored.ID == "" || stored.Customers[0].ID == "" || findLease(s.Portfolio(), stored.ID).PropertyID != "100" {
		t.Fatalf("upsert: %+v", stored)
	}

	control(t, ts, "POST", "/_sim/faults", map[string]any{"service": "status", "fault": map[string]any{"failNext": 1, "status": 503}}, nil)
	if r := callAPI(t, ts, "apikey", "status", "getStatus", "", nil); r.status != 503 {
		t.Errorf("fault not applied: %d", r.status)
	}
	control(t, ts, "POST", "/_sim/faults", map[string]any{"service": "status", "fault": map[string]any{"failNext": 1}}, nil)
	control(t, ts, "DELETE", "/_sim/faults", nil, nil)
	if r := callAPI(t, ts, "apikey", "status", "getStatus", "", nil); r.status != 200 {
		t.Errorf("faults not cleared: %d", r.status)
	}
	control(t, ts, "POST", "/_sim/empty", map[string]any{"propertyId": "100", "empty": true}, nil)
	if r := callAPI(t, ts, "apikey", "leases", "getLeases", "", map[string]any{"propertyId": "100"}); r.header.Get("X-Total-Count") != "0" {
		t.Errorf("empty not applied: %s", r.raw)
	}
	var calls map[string]int
	control(t, ts, "GET", "/_sim/calls", nil, &calls)
	if calls["status/getStatus"] != 2 || calls["leases/getLeases"] != 1 {
		t.Errorf("calls = %v", calls)
	}
	var now map[string]string
	if st := control(t, ts, "POST", "/_sim/now", map[string]any{"offset": "48h"}, &now); st != 200 || now["now"] != "2026-03-12T18:00:30Z" {
		t.Errorf("now: %d %v", st, now)
	}
	if st := control(t, ts, "POST", "/_sim/nope", map[string]any{}, nil); st != 404 {
		t.Errorf("unknown control call: %d", st)
	}
}
