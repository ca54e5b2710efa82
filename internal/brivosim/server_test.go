package brivosim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func tokenRequest(contentType, body, apiKey, id, secret string) *http.Request {
	req := httptest.NewRequest("POST", "/oauth/token", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if apiKey != "" {
		req.Header.Set("api-key", apiKey)
	}
	req.SetBasicAuth(id, secret)
	return req
}

func TestTokenEndpointRules(t *testing.T) {
	form := "application/x-www-form-urlencoded"
	good := url.Values{"grant_type": {"password"}, "username": {"admin"}, "password": {"pw"}}.Encode()
	tests := []struct {
		name     string
		req      *http.Request
		wantCode int
		wantBody string
	}{
		{"password grant", tokenRequest(form, good, "k", "cid", "csecret"), 200, `"expires_in":300`},
		{"json body rejected", tokenRequest("application/json", `{"grant_type":"password"}`, "k", "cid", "csecret"), 400, `"error":"invalid_request"`},
		{"no api key", tokenRequest(form, good, "", "cid", "csecret"), 403, "<h1>Developer Inactive</h1>"},
		{"bad password", tokenRequest(form, strings.Replace(good, "pw", "nope", 1), "k", "cid", "csecret"), 400, `{"error":"invalid_grant","error_description":"Bad credentials"}`},
		{"bad client secret", tokenRequest(form, good, "k", "cid", "wrong"), 401, `"error":"invalid_client"`},
		{"bad refresh token", tokenRequest(form, "grant_type=refresh_token&refresh_token=zzz", "k", "cid", "csecret"), 400, `"invalid_grant"`},
		{"wrong verb", func() *http.Request {
			r := tokenRequest(form, "", "k", "cid", "csecret")
			r.Method = "GET"
			return r
		}(), 596, "596 Service Not Found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			New(testOptions()).ServeHTTP(rec, tc.req)
			if rec.Code != tc.wantCode || !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Fatalf("= %d %s; want %d containing %s", rec.Code, rec.Body, tc.wantCode, tc.wantBody)
			}
		})
	}
}

func TestTokenExpiresAndRefreshes(t *testing.T) {
	clock := &fakeClock{t: t0}
	opts := testOptions()
	opts.Now, opts.TokenLifetime = clock.Now, 2*time.Second
	sim := New(opts)
	form := "application/x-www-form-urlencoded"
	rec := httptest.NewRecorder()
	sim.ServeHTTP(rec, tokenRequest(form, "grant_type=password&username=admin&password=pw", "k", "cid", "csecret"))
	if !strings.Contains(rec.Body.String(), `"expires_in":2`) {
		t.Fatalf("token = %s", rec.Body)
	}
	access := between(rec.Body.String(), `"access_token":"`, `"`)
	refresh := between(rec.Body.String(), `"refresh_token":"`, `"`)
	get := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", APIPrefix+"/sites", nil)
		req.Header.Set("api-key", "k")
		req.Header.Set("Authorization", "bearer "+access)
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		return rec
	}
	if rec := get(); rec.Code != 200 {
		t.Fatalf("fresh token: %d %s", rec.Code, rec.Body)
	}
	clock.Set(t0.Add(2 * time.Second))
	if rec := get(); rec.Code != 401 || !strings.Contains(rec.Body.String(), `"error":"invalid_token"`) {
		t.Fatalf("expired token: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	sim.ServeHTTP(rec, tokenRequest(form, "grant_type=refresh_token&refresh_token="+refresh, "k", "cid", "csecret"))
	if rec.Code != 200 {
		t.Fatalf("refresh: %d %s", rec.Code, rec.Body)
	}
	access = between(rec.Body.String(), `"access_token":"`, `"`)
	if rec := get(); rec.Code != 200 {
		t.Fatalf("refreshed token: %d", rec.Code)
	}
	sim.ExpireTokens()
	if rec := get(); rec.Code != 401 {
		t.Fatalf("ExpireTokens: %d", rec.Code)
	}
	if g := sim.TokenGrants(); g["password"] != 1 || g["refresh_token"] != 1 {
		t.Fatalf("grants = %v", g)
	}
}

func between(s, start, end string) string {
	_, rest, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(rest, end)
	return v
}

func TestAPIRules(t *testing.T) {
	sim := New(testOptions())
	site := sim.AddSite("S")
	ap := sim.AddAccessPoint(site.ID, "Door")
	var groups []int64
	for i := range 17 {
		groups = append(groups, sim.AddGroup(fmt.Sprintf("G%d", i), ap.ID).ID)
	}
	field := sim.newTestField(t, "Entrata Property")
	var u struct{ ID int64 }
	mustCall(t, sim, "POST", "/users", map[string]any{
		"externalId": "entrata-9", "firstName": "A", "lastName": "B",
		"effectiveFrom": "2026-06-01T10:00:00.123-05:00",
		"customFields":  []map[string]any{{"id": field, "value": "100"}},
	}, &u)
	// The create body's customFields are ignored (not documented); the tag
	// is set through the documented PUT. A second user is tagged 1000.
	mustCall(t, sim, "PUT", fmt.Sprintf("/users/%d/custom-fields/%d", u.ID, field), map[string]any{"value": "100"}, nil)
	var u2 struct{ ID int64 }
	for i := range 120 {
		mustCall(t, sim, "POST", "/users", map[string]any{"externalId": fmt.Sprintf("other-%d", i), "firstName": "C", "lastName": "D"}, &u2)
	}
	mustCall(t, sim, "PUT", fmt.Sprintf("/users/%d/custom-fields/%d", u2.ID, field), map[string]any{"value": "1000"}, nil)
	tests := []struct {
		name     string
		method   string
		path     string
		body     any
		wantCode int
		want     string
	}{
		{"UTC seconds, empty fields omitted", "GET", fmt.Sprintf("/users/%d", u.ID), nil, 200, `"effectiveFrom":"2026-06-01T15:00:00Z"`},
		{"404 shape", "GET", "/users/1", nil, 404, `{"code":404,"message":"Requested user not found"}`},
		{"wrong verb", "PATCH", "/groups", nil, 596, "<h1>596 Service Not Found</h1>"},
		{"unknown path", "GET", "/nothing-here", nil, 404, `"code":404`},
		{"pageSize capped", "GET", "/users?pageSize=500", nil, 200, `"offset":0,"pageSize":100,"count":121`},
		{"cf filter eq is contains", "GET", fmt.Sprintf("/users?filter=cf_%d__eq:100", field), nil, 200, `"count":2`},
		{"cf filter ne", "GET", fmt.Sprintf("/users?filter=cf_%d__ne:100", field), nil, 200, `"count":119`},
		{"custom field PUT answers the value", "PUT", fmt.Sprintf("/users/%d/custom-fields/%d", u.ID, field), map[string]any{"value": "100"}, 200,
			fmt.Sprintf(`{"id":%d,"fieldType":"text","fieldName":"Entrata Property","value":"100"}`, field)},
		{"custom field PUT needs a value", "PUT", fmt.Sprintf("/users/%d/custom-fields/%d", u.ID, field), map[string]any{}, 400, "custom field type"},
		{"custom field values", "GET", fmt.Sprintf("/users/%d/custom-fields", u.ID), nil, 200, `"value":"100"`},
		{"cf filter exact", "GET", fmt.Sprintf("/users?filter=cf_%d__exact:100", field), nil, 200, `"count":1`},
		{"no externalId filter", "GET", "/users?filter=externalId__eq:x", nil, 400, "unsupported filter field"},
		{"user_status", "GET", "/users?filter=user_status__eq:unaffiliated", nil, 200, `"count":121`},
		{"revoke needs suspension", "POST", fmt.Sprintf("/users/%d/revoke-credentials", u.ID), nil, 400, "suspended"},
		{"17 groups", "POST", fmt.Sprintf("/users/%d/groups", u.ID), map[string]any{"addGroups": groups}, 400,
			`{"code":400,"message":"A user cannot be a member of more than 16 groups"}`},
		{"unchanged after limit", "GET", fmt.Sprintf("/users/%d/groups", u.ID), nil, 200, `"count":0`},
		{"duplicate externalId", "POST", "/users", map[string]any{"externalId": "entrata-9", "firstName": "X", "lastName": "Y"}, 409, "externalId already exists"},
		{"PUT needs names", "PUT", fmt.Sprintf("/users/%d", u.ID), map[string]any{"externalId": "entrata-9"}, 400, "firstName is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := call(t, sim, tc.method, tc.path, tc.body)
			if code != tc.wantCode || !strings.Contains(body, tc.want) {
				t.Fatalf("= %d %s; want %d containing %s", code, body, tc.wantCode, tc.want)
			}
		})
	}
	if _, body := call(t, sim, "GET", fmt.Sprintf("/users/%d", u.ID), nil); strings.Contains(body, "middleName") || strings.Contains(body, "phoneNumbers") {
		t.Fatalf("empty fields not omitted: %s", body)
	}
	calls := sim.Calls()
	if calls["GET /users/{id}"] < 2 || calls["PATCH /groups"] != 1 || calls["POST /users/{id}/groups"] != 1 {
		t.Fatalf("calls = %v", calls)
	}
}

func (s *Server) newTestField(t *testing.T, name string) int64 {
	var f CustomField
	mustCall(t, s, "POST", "/custom-fields", map[string]string{"fieldName": name}, &f)
	return f.ID
}

func TestPutErasesPatchKeeps(t *testing.T) {
	sim := New(testOptions())
	var u struct{ ID int64 }
	mustCall(t, sim, "POST", "/users", map[string]any{"externalId": "entrata-1", "firstName": "A", "middleName": "M",
		"lastName": "B", "emails": []map[string]string{{"address": "a@example.com"}}}, &u)
	path := fmt.Sprintf("/users/%d", u.ID)
	var after struct {
		ExternalID string `json:"externalId"`
		MiddleName string `json:"middleName"`
		Emails     []any  `json:"emails"`
	}
	mustCall(t, sim, "PATCH", path, map[string]any{"lastName": "C"}, &after)
	if after.ExternalID != "entrata-1" || after.MiddleName != "M" || len(after.Emails) != 1 {
		t.Fatalf("PATCH erased fields: %+v", after)
	}
	after.MiddleName = ""
	mustCall(t, sim, "PATCH", path, map[string]any{"middleName": nil}, &after)
	if after.MiddleName != "" || after.ExternalID != "entrata-1" {
		t.Fatalf("PATCH null did not clear only middleName: %+v", after)
	}
	after.Emails, after.ExternalID = nil, ""
	mustCall(t, sim, "PUT", path, map[string]any{"firstName": "A", "lastName": "C"}, &after)
	if after.ExternalID != "" || len(after.Emails) != 0 {
		t.Fatalf("PUT kept omitted fields: %+v", after)
	}
	if _, ok := sim.UserByExternalID("entrata-1"); ok {
		t.Fatal("externalId index kept after PUT erased it")
	}
}

func TestFaultsAndCeiling(t *testing.T) {
	sim := New(testOptions())
	sim.SetFault("/v1/api/sites", Fault{Next: 2, Status: 503, RetryAfter: 2 * time.Second})
	sim.SetFault("/v1/api/groups", Fault{Latency: 30 * time.Millisecond})
	for i, want := range []int{503, 503, 200} {
		req := httptest.NewRequest("GET", APIPrefix+"/sites", nil)
		req.Header.Set("api-key", "k")
		req.Header.Set("Authorization", "Bearer "+token(t, sim))
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		if rec.Code != want || (want == 503 && rec.Header().Get("Retry-After") != "2") {
			t.Fatalf("call %d = %d Retry-After %q; want %d", i, rec.Code, rec.Header().Get("Retry-After"), want)
		}
	}
	start := time.Now()
	if code, _ := call(t, sim, "GET", "/groups", nil); code != 200 || time.Since(start) < 30*time.Millisecond {
		t.Fatalf("latency fault: %d after %v", code, time.Since(start))
	}
	sim.ClearFaults()
	sim.SetRateCeiling(5)
	tok := token(t, sim)
	codes := map[int]int{}
	for range 8 {
		req := httptest.NewRequest("GET", APIPrefix+"/sites", nil)
		req.Header.Set("api-key", "k")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		codes[rec.Code]++
		if rec.Code == 403 && (rec.Header().Get("Retry-After") != "1" || rec.Body.String() != "<h1>Developer Over Qps</h1>") {
			t.Fatalf("over qps answer: %s %q", rec.Body, rec.Header().Get("Retry-After"))
		}
	}
	if codes[200] != 5 || codes[403] != 3 {
		t.Fatalf("codes = %v; want 5 ok, 3 over qps", codes)
	}
	if n := sim.OverCeiling(); n != 3 {
		t.Fatalf("OverCeiling = %d; want 3", n)
	}
}

// The ceiling judges each call at its arrival, whatever order the checks
// run in: a call that reaches the check late still counts in the windows of
// the instant it arrived, and is refused if one of them would overflow.
func TestCeilingCountsArrivalTimes(t *testing.T) {
	sim := New(testOptions())
	sim.SetRateCeiling(2)
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	for _, tc := range []struct {
		at   int
		want bool // refused
	}{
		{0, false}, {600, false},
		{900, true},   // (−100 ms, 900 ms] would hold 0, 600, 900
		{1100, false}, // (100 ms, 1100 ms] holds 600, 1100
		{500, true},   // late: (−400 ms, 600 ms] would hold 0, 500, 600
		{1000, true},  // (0, 1000 ms] holds 600; (100 ms, 1100 ms] would hold 600, 1000, 1100
		{1700, false}, // (700 ms, 1700 ms] holds 1100, 1700
	} {
		if got := sim.overCeiling(ms(tc.at)); got != tc.want {
			t.Fatalf("call arriving at %d ms: refused %v; want %v", tc.at, got, tc.want)
		}
	}
	if n := sim.OverCeiling(); n != 3 {
		t.Fatalf("OverCeiling = %d; want 3", n)
	}
}

// A handler holding the server's lock does not delay the count: calls that
// arrive while it runs are stamped when they arrive, not when they get the
// lock, so calls paced under the ceiling are never bunched into an Over Qps.
func TestCeilingIsNotBunchedBehindASlowHandler(t *testing.T) {
	sim := New(testOptions())
	sim.SetRateCeiling(4)
	tok := token(t, sim)
	// Eight calls 300 ms apart: any second holds at most four. A handler
	// holds the lock from 800 ms to 1,700 ms, over the calls at 900, 1,200
	// and 1,500 ms. Stamped at 1,700 ms, those three and the calls at
	// 1,800 and 2,100 ms would be five in (1,100 ms, 2,100 ms].
	codes := make(chan int, 8)
	send := func() {
		req := httptest.NewRequest("GET", APIPrefix+"/sites", nil)
		req.Header.Set("api-key", "k")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		codes <- rec.Code
	}
	start := time.Now()
	at := func(ms int) { time.Sleep(time.Until(start.Add(time.Duration(ms) * time.Millisecond))) }
	go func() { // a slow handler
		at(800)
		sim.mu.Lock()
		at(1700)
		sim.mu.Unlock()
	}()
	for i := range 8 {
		at(300 * i)
		go send()
	}
	for range 8 {
		if c := <-codes; c != http.StatusOK {
			t.Fatalf("a call paced under the ceiling got %d (%d refused)", c, sim.OverCeiling())
		}
	}
}
