package entratasim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	key  = "test-key"
	user = "api-user"
	pass = "api-pass"
)

func newTestServer(t *testing.T, limits map[string]string) (*Server, *httptest.Server) {
	t.Helper()
	s := New(Options{APIKey: key, Username: user, Password: pass, Org: "acme", Limits: limits,
		Now: func() time.Time { return time.Date(2026, 3, 10, 18, 0, 30, 0, time.UTC) }})
	s.Load(Generate(GenOptions{Seed: 4, Properties: 2, UnitsPerProperty: 30, Today: genToday}))
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

type apiReply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// callAPI posts an Entrata envelope; mode "apikey" or "basic".
func callAPI(t *testing.T, ts *httptest.Server, mode, service, method, query string, params map[string]any) apiReply {
	t.Helper()
	url := ts.URL + "/ext/orgs/acme/v1/" + service
	if mode == "basic" {
		url = ts.URL + "/api/v1/" + service
	}
	if query != "" {
		url += "?" + query
	}
	body, _ := json.Marshal(map[string]any{"auth": map[string]any{"type": mode}, "requestId": 15,
		"method": map[string]any{"name": method, "version": "r2", "params": params}})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if mode == "basic" {
		req.SetBasicAuth(user, pass)
	} else {
		req.Header.Set("X-Api-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := apiReply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func (r apiReply) path(keys ...string) any {
	var v any = r.body
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestGetLeasesRawShape(t *testing.T) {
	_, ts := newTestServer(t, nil)
	r := callAPI(t, ts, "apikey", "leases", "getLeases", "page_no=1&per_page=50", map[string]any{"propertyId": "100", "leaseStatusTypeIds": "3,4,5,6"})
	if r.status != 200 || r.path("response", "requestId") != "15" || r.path("response", "code") != float64(200) {
		t.Fatalf("reply %d %s", r.status, r.raw[:min(300, len(r.raw))])
	}
	leases, ok := r.path("response", "result", "leases", "lease").([]any)
	if !ok || len(leases) < 10 {
		t.Fatalf("lease list: %T", r.path("response", "result", "leases", "lease"))
	}
	date := regexp.MustCompile(`^\d{2}/\d{2}/\d{4}$`)
	sawString, sawNumber, sawSingleCustomer, sawCustomerList := false, false, false, false
	for _, item := range leases {
		l := item.(map[string]any)
		if _, ok := l["id"].(string); !ok {
			t.Errorf("lease id %v is not a string", l["id"])
		}
		if _, ok := l["leaseStatusTypeId"].(string); !ok {
			t.Errorf("leaseStatusTypeId %v is not a string", l["leaseStatusTypeId"])
		}
		if !date.MatchString(l["moveInDate"].(string)) {
			t.Errorf("moveInDate %v is not MM/DD/YYYY", l["moveInDate"])
		}
		switch l["unitId"].(type) {
		case string:
			sawString = true
		case float64:
			sawNumber = true
		}
		switch c := l["customers"].(map[string]any)["customer"].(type) {
		case map[string]any:
			sawSingleCustomer = true
			if _, ok := c["id"].(float64); !ok {
				t.Errorf("customer id %v is not a number", c["id"])
			}
		case []any:
			sawCustomerList = true
		}
	}
	if !sawString || !sawNumber || !sawSingleCustomer || !sawCustomerList {
		t.Errorf("flips: unitId string %v number %v; customer object %v list %v", sawString, sawNumber, sawSingleCustomer, sawCustomerList)
	}
	if !strings.Contains(r.raw, `"isActiveLeaseInterval":"t"`) {
		t.Error("no t/f flag on renewal applications")
	}
	if r.header.Get("X-Total-Count") == "" || r.header.Get("Link") == "" && len(leases) == 50 {
		t.Errorf("paging headers: %v", r.header)
	}
}

func TestDefaultStatusesAndSingleLeasePage(t *testing.T) {
	s, ts := newTestServer(t, nil)
	r := callAPI(t, ts, "basic", "leases", "getLeases", "", map[string]any{"propertyId": 100})
	for _, item := range r.path("response", "result", "leases", "lease").([]any) {
		if st := item.(map[string]any)["leaseStatusTypeId"]; st != "4" && st != "5" {
			t.Errorf("default statuses returned status %v", st)
		}
	}
	id := s.Portfolio().Properties[0].Leases[0].ID
	r = callAPI(t, ts, "basic", "leases", "getLeases", "", map[string]any{"propertyId": "100", "leaseIds": id, "leaseStatusTypeIds": "1,2,3,4,5,6"})
	if l, ok := r.path("response", "result", "leases", "lease").(map[string]any); !ok || l["id"] != id {
		t.Errorf("a one-lease page should hold an object: %s", r.raw)
	}
}

func TestErrorEnvelopes(t *testing.T) {
	_, ts := newTestServer(t, nil)
	tests := []struct {
		name, service, method string
		params                map[string]any
		status, code          int
		message               string
	}{
		{"missing propertyId", "leases", "getLeases", map[string]any{}, 200, 301, "Invalid parameter: propertyId is required."},
		{"bad status ids", "leases", "getLeases", map[string]any{"propertyId": "100", "leaseStatusTypeIds": "4,x"}, 200, 301, ""},
		{"unknown property", "leases", "getLeases", map[string]any{"propertyId": "999"}, 200, 301, ""},
		{"missing propertyIds", "propertyunits", "getPropertyUnits", map[string]any{}, 200, 301, "Invalid parameter: propertyIds is required."},
		{"unknown method", "leases", "getMoveOuts", map[string]any{}, 200, 302, ""},
		{"unknown service", "customers", "getCustomers", map[string]any{}, 404, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := callAPI(t, ts, "apikey", tt.service, tt.method, "", tt.params)
			if r.status != tt.status || r.path("response", "error", "code") != float64(tt.code) {
				t.Fatalf("reply %d %s", r.status, r.raw)
			}
			if tt.message != "" && r.path("response", "error", "message") != tt.message {
				t.Errorf("message = %v", r.path("response", "error", "message"))
			}
			if r.path("response", "result") != nil {
				t.Error("an error carries a result")
			}
		})
	}
}

func TestBadCredentials(t *testing.T) {
	_, ts := newTestServer(t, nil)
	for _, tc := range []struct{ name, url, authType, header, value string }{
		{"bad key", "/ext/orgs/acme/v1/status", "apikey", "X-Api-Key", "nope"},
		{"wrong org", "/ext/orgs/other/v1/status", "apikey", "X-Api-Key", key},
		{"key on legacy host", "/api/v1/status", "basic", "X-Api-Key", key},
		{"wrong auth type", "/ext/orgs/acme/v1/status", "basic", "X-Api-Key", key},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"auth":{"type":"` + tc.authType + `"},"requestId":"1","method":{"name":"getStatus","version":"r1","params":{}}}`
			req, _ := http.NewRequest(http.MethodPost, ts.URL+tc.url, strings.NewReader(body))
			req.Header.Set(tc.header, tc.value)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 401 || resp.Header.Get("X-Ratelimit-Limit") == "" {
				t.Errorf("status %d, headers %v", resp.StatusCode, resp.Header)
			}
		})
	}
}

func TestRateLimitWindowsCountDownPerService(t *testing.T) {
	_, ts := newTestServer(t, nil) // real limits: status 6/minute
	for i := range 6 {
		r := callAPI(t, ts, "apikey", "status", "getStatus", "", nil)
		if r.status != 200 || r.header.Get("X-Ratelimit-Limit") != "8640/day;360/hour;6/minute" {
			t.Fatalf("call %d: %d %v", i, r.status, r.header)
		}
		want := []string{itoa(8640-i-1) + "/day", itoa(360-i-1) + "/hour", itoa(6-i-1) + "/minute"}
		if got := r.header.Get("X-Ratelimit-Remaining"); got != strings.Join(want, ";") {
			t.Errorf("call %d remaining %q", i, got)
		}
		if got := r.header.Get("X-Ratelimit-Reset"); got != "21570;3570;30" {
			t.Errorf("reset %q", got)
		}
	}
	r := callAPI(t, ts, "apikey", "status", "getStatus", "", nil)
	if r.status != 429 || r.path("response", "error", "code") != float64(429) {
		t.Fatalf("7th status call: %d %s", r.status, r.raw)
	}
	if r := callAPI(t, ts, "apikey", "leases", "getLeases", "", map[string]any{"propertyId": "100"}); r.status != 200 ||
		r.header.Get("X-Ratelimit-Remaining") != "9999/day;999/hour;299/minute" {
		t.Errorf("leases has its own windows: %d %v", r.status, r.header.Get("X-Ratelimit-Remaining"))
	}
}

func TestFaultsAndEmpty(t *testing.T) {
	s, ts := newTestServer(t, nil)
	s.SetFault("leases", Fault{FailNext: 2, Status: 503, Latency: 20 * time.Millisecond})
	start := time.Now()
	for i := range 2 {
		if r := callAPI(t, ts, "apikey", "leases", "getLeases", "", map[string]any{"propertyId": "100"}); r.status != 503 {
			t.Fatalf("call %d: %d", i, r.status)
		}
	}
	if time.Since(start) < 40*time.Millisecond {
		t.Error("latency not applied")
	}
	if r := callAPI(t, ts, "apikey", "leases", "getLeases", "", map[string]any{"propertyId": "100"}); r.status != 200 {
		t.Fatalf("third call: %d", r.status)
	}
	s.SetFault("*", Fault{ErrorEnvelopeNext: 1})
	s.ClearFaults()
	s.SetEmpty("100", true)
	r := callAPI(t, ts, "apikey", "leases", "getLeases", "", map[string]any{"propertyId": "100"})
	if l, _ := r.path("response", "result", "leases", "lease").([]any); r.status != 200 || len(l) != 0 || r.header.Get("X-Total-Count") != "0" {
		t.Errorf("empty property answered %s", r.raw)
	}
	if got := s.Calls()["leases/getLeases"]; got != 4 {
		t.Errorf("calls = %d, want 4", got)
	}
}

func TestGetPropertiesIsPascalCase(t *testing.T) {
	_, ts := newTestServer(t, nil)
	r := callAPI(t, ts, "basic", "properties", "getProperties", "", nil)
	props, _ := r.path("response", "result", "PhysicalProperty", "Property").([]any)
	if len(props) != 2 {
		t.Fatalf("properties: %s", r.raw)
	}
	p := props[0].(map[string]any)
	if p["PropertyID"] != float64(100) || p["MarketingName"] == "" || p["IsDisabled"] != float64(0) {
		t.Errorf("property = %v", p)
	}
}

func TestParseQuotaRejectsNonsense(t *testing.T) {
	for _, spec := range []string{"", "x/day", "10/fortnight", "10"} {
		if _, err := parseQuota(spec); err == nil {
			t.Errorf("parseQuota(%q) accepted", spec)
		}
	}
	q, err := parseQuota("2/minute")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 50, 0, time.UTC)
	first, second, third := q.take(now), q.take(now), q.take(now)
	if !first || !second || third {
		t.Error("2/minute allowed a third call")
	}
	if !q.take(now.Add(10 * time.Second)) {
		t.Error("the window did not reset at the minute")
	}
}
