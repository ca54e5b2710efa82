package entrata_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/entratasim"
)

const (
	testKey      = "sk-live-SECRET-KEY-7f3a9"
	testUser     = "api-user"
	testPassword = "hunter2-SECRET-PASSWORD"
)

var today = entrata.MustDate(2026, time.January, 15)

// simEnv is a simulator behind httptest with a generated portfolio.
type simEnv struct {
	sim       *entratasim.Server
	apiKeyURL string
	basicURL  string
}

func newSimEnv(t *testing.T, limits map[string]string, gen entratasim.GenOptions) *simEnv {
	t.Helper()
	if limits == nil {
		limits = map[string]string{"*": "1000000/day;100000/minute"}
	}
	sim := entratasim.New(entratasim.Options{APIKey: testKey, Username: testUser, Password: testPassword, Org: "acme",
		Now: func() time.Time { return time.Date(2026, time.January, 15, 17, 0, 0, 0, time.UTC) }, Limits: limits})
	if gen.Today.IsZero() {
		gen.Today = today
	}
	sim.Load(entratasim.Generate(gen))
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	return &simEnv{sim: sim, apiKeyURL: ts.URL + "/ext/orgs/acme/v1", basicURL: ts.URL + "/api/v1"}
}

// client returns a client for mode "apikey" or "basic".
func (e *simEnv) client(t *testing.T, mode string, opts ...entrata.Option) *entrata.Client {
	t.Helper()
	base := []entrata.Option{entrata.WithBaseURL(e.apiKeyURL), entrata.WithAPIKey(testKey)}
	if mode == "basic" {
		base = []entrata.Option{entrata.WithBaseURL(e.basicURL), entrata.WithBasicAuth(testUser, testPassword)}
	}
	c, err := entrata.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func allStatuses() []entrata.LeaseStatus {
	return []entrata.LeaseStatus{entrata.LeaseFuture, entrata.LeaseCurrent, entrata.LeaseNotice, entrata.LeasePast}
}

func TestClientAgainstSimulator(t *testing.T) {
	env := newSimEnv(t, nil, entratasim.GenOptions{Seed: 7, Properties: 2, UnitsPerProperty: 30})
	want := env.sim.Portfolio()
	for _, mode := range []string{"apikey", "basic"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			c := env.client(t, mode, entrata.WithPerPage(7))
			resp, err := c.GetStatus(ctx)
			if err != nil || resp.HTTPStatus != 200 || resp.RequestID == "" {
				t.Fatalf("GetStatus = %+v, %v", resp, err)
			}
			if len(resp.RateLimit.Windows) != 2 || resp.RateLimit.Remaining() <= 0 {
				t.Errorf("GetStatus rate limit = %+v", resp.RateLimit)
			}

			props, _, err := c.GetProperties(ctx)
			if err != nil {
				t.Fatalf("GetProperties: %v", err)
			}
			if len(props) != 2 || props[0].ID != "100" || props[1].ID != "101" || props[0].Name != want.Properties[0].Property.Name {
				t.Errorf("GetProperties = %+v", props)
			}
			if one, _, err := c.GetProperties(ctx, "101"); err != nil || len(one) != 1 || one[0].ID != "101" {
				t.Errorf("GetProperties(101) = %+v, %v", one, err)
			}

			units, _, err := c.GetPropertyUnits(ctx, "100")
			if err != nil {
				t.Fatalf("GetPropertyUnits: %v", err)
			}
			if !reflect.DeepEqual(units, want.Properties[0].Units) {
				t.Errorf("GetPropertyUnits differs from the simulator's units:\n got %+v\nwant %+v", units[:2], want.Properties[0].Units[:2])
			}

			for _, pd := range want.Properties {
				leases, problems, resp, err := c.GetLeases(ctx, entrata.LeaseQuery{PropertyID: pd.Property.ID, Statuses: allStatuses()})
				if err != nil || len(problems) > 0 {
					t.Fatalf("GetLeases(%s): %v, problems %v", pd.Property.ID, err, problems)
				}
				if resp.TotalCount != len(pd.Leases) {
					t.Errorf("TotalCount = %d, want %d", resp.TotalCount, len(pd.Leases))
				}
				if !reflect.DeepEqual(leases, pd.Leases) {
					for i := range leases {
						if !reflect.DeepEqual(leases[i], pd.Leases[i]) {
							t.Fatalf("lease %d decoded differently:\n got %+v\nwant %+v", i, leases[i], pd.Leases[i])
						}
					}
					t.Fatalf("GetLeases returned %d leases, want %d", len(leases), len(pd.Leases))
				}
			}

			exp, _, err := c.GetExpiringLeases(ctx, "100", today, today.AddDays(90))
			if err != nil {
				t.Fatalf("GetExpiringLeases: %v", err)
			}
			if len(exp) == 0 {
				t.Fatal("GetExpiringLeases returned nothing in a 90-day window")
			}
			for _, e := range exp {
				if e.LeaseID == "" || e.LeaseExpires.Before(today) || e.LeaseExpires.After(today.AddDays(90)) {
					t.Errorf("expiring lease out of range: %+v", e)
				}
			}
		})
	}
}

func TestGetLeasesFilters(t *testing.T) {
	env := newSimEnv(t, nil, entratasim.GenOptions{Seed: 3, UnitsPerProperty: 40})
	c := env.client(t, "apikey")
	ctx := context.Background()
	all := env.sim.Portfolio().Properties[0].Leases

	def, _, _, err := c.GetLeases(ctx, entrata.LeaseQuery{PropertyID: "100"})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range def {
		if l.Status != entrata.LeaseCurrent && l.Status != entrata.LeaseNotice {
			t.Errorf("default statuses returned %s lease %s", l.Status, l.ID)
		}
	}
	wantDefault := 0
	for _, l := range all {
		if l.Status == entrata.LeaseCurrent || l.Status == entrata.LeaseNotice {
			wantDefault++
		}
	}
	if len(def) != wantDefault {
		t.Errorf("default statuses: %d leases, want %d", len(def), wantDefault)
	}

	from := today.AddDays(-10)
	bounded, _, _, err := c.GetLeases(ctx, entrata.LeaseQuery{PropertyID: "100", Statuses: allStatuses(), MoveOutDateFrom: from})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range bounded {
		if !l.MoveOutDate.IsZero() && l.MoveOutDate.Before(from) {
			t.Errorf("moveOutDateFrom %s returned lease %s moving out %s", from, l.ID, l.MoveOutDate)
		}
	}
	if len(bounded) >= len(all) {
		t.Errorf("moveOutDateFrom dropped nothing (%d of %d)", len(bounded), len(all))
	}

	target := all[len(all)/2]
	byCustomer, _, _, err := c.GetLeases(ctx, entrata.LeaseQuery{PropertyID: "100", Statuses: allStatuses(), CustomerID: target.Customers[0].ID})
	if err != nil || len(byCustomer) == 0 || !slices.ContainsFunc(byCustomer, func(l entrata.Lease) bool { return l.ID == target.ID }) {
		t.Errorf("customerId filter = %d leases, %v", len(byCustomer), err)
	}
	byIDs, _, _, err := c.GetLeases(ctx, entrata.LeaseQuery{PropertyID: "100", Statuses: allStatuses(), LeaseIDs: []string{all[0].ID, all[1].ID}})
	if err != nil || len(byIDs) != 2 {
		t.Errorf("leaseIds filter = %d leases, %v", len(byIDs), err)
	}
}

func TestPaginationOverManyPages(t *testing.T) {
	env := newSimEnv(t, nil, entratasim.GenOptions{Seed: 11, UnitsPerProperty: 25})
	c := env.client(t, "basic", entrata.WithPerPage(5))
	n := len(env.sim.Portfolio().Properties[0].Leases)
	leases, _, _, err := c.GetLeases(context.Background(), entrata.LeaseQuery{PropertyID: "100", Statuses: allStatuses()})
	if err != nil {
		t.Fatal(err)
	}
	if len(leases) != n {
		t.Fatalf("got %d leases, want %d", len(leases), n)
	}
	pages := env.sim.Calls()["leases/getLeases"]
	if want := (n + 4) / 5; pages != want || pages < 3 {
		t.Errorf("fetched %d pages, want %d (and at least 3)", pages, want)
	}
}

func TestMalformedLeaseIsAProblemNotAFailure(t *testing.T) {
	env := newSimEnv(t, nil, entratasim.GenOptions{Seed: 5, UnitsPerProperty: 12})
	c := env.client(t, "apikey")
	env.sim.SetFault("leases", entratasim.Fault{MalformedNext: 1})
	leases, problems, _, err := c.GetLeases(context.Background(), entrata.LeaseQuery{PropertyID: "100", Statuses: allStatuses()})
	if err != nil {
		t.Fatal(err)
	}
	// The malformed lease comes back marked Invalid (it names a customer
	// without an id, so the policy holds absence revocations).
	valid, invalid := 0, 0
	for _, l := range leases {
		if l.Invalid == "" {
			valid++
		} else if l.Unidentified > 0 {
			invalid++
		}
	}
	if want := len(env.sim.Portfolio().Properties[0].Leases); valid != want || invalid != 1 {
		t.Errorf("got %d valid leases and %d invalid naming someone unreadable, want %d and 1", valid, invalid, want)
	}
	fields := map[string]bool{}
	for _, p := range problems {
		if p.ID == "" || p.Field == "" || p.Reason == "" {
			t.Errorf("problem does not name its record: %+v", p)
		}
		fields[p.Field] = true
	}
	for _, f := range []string{"moveInDate", "unitId", "id"} {
		if !fields[f] {
			t.Errorf("no problem about %s in %v", f, problems)
		}
	}
}

func TestSimulatorFaults(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		fault entratasim.Fault
		check func(t *testing.T, err error)
	}{
		{"503 is retryable", entratasim.Fault{FailNext: 1, Status: 503}, func(t *testing.T, err error) {
			var er *entrata.ErrorResponse
			if !errors.As(err, &er) || er.HTTPStatus != 503 || !entrata.IsRetryable(err) || entrata.IsPermanent(err) {
				t.Errorf("err = %v", err)
			}
		}},
		{"envelope with HTTP 200", entratasim.Fault{ErrorEnvelopeNext: 1, ErrorCode: 301}, func(t *testing.T, err error) {
			var er *entrata.ErrorResponse
			if !errors.As(err, &er) || er.HTTPStatus != 200 || er.Code != 301 || !entrata.IsPermanent(err) {
				t.Errorf("err = %v", err)
			}
		}},
		{"exhausted rate limit", entratasim.Fault{ExhaustRateLimit: true}, func(t *testing.T, err error) {
			d, ok := entrata.RetryAfter(err)
			if !ok || d <= 0 || d > time.Hour || !entrata.IsRetryable(err) { // both windows are used up: the hour one rules
				t.Errorf("err = %v, retry after %s", err, d)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newSimEnv(t, map[string]string{"*": "1000/hour;100/minute"}, entratasim.GenOptions{Seed: 1, UnitsPerProperty: 5})
			c := env.client(t, "apikey")
			env.sim.SetFault("leases", tt.fault)
			_, _, _, err := c.GetLeases(ctx, entrata.LeaseQuery{PropertyID: "100"})
			tt.check(t, err)
			if _, _, err := c.GetProperties(ctx); err != nil {
				t.Errorf("a leases fault leaked into properties: %v", err)
			}
		})
	}
}

func TestStatusRateLimitCountsDown(t *testing.T) {
	env := newSimEnv(t, map[string]string{}, entratasim.GenOptions{Seed: 1, UnitsPerProperty: 5})
	c := env.client(t, "apikey")
	ctx := context.Background()
	prev := -1
	for i := range 6 {
		resp, err := c.GetStatus(ctx)
		if i < 5 && err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if err == nil {
			if r := resp.RateLimit.Remaining(); prev >= 0 && r != prev-1 {
				t.Errorf("remaining went %d -> %d", prev, r)
			}
			prev = resp.RateLimit.Remaining()
		}
	}
	if prev != 0 {
		t.Fatalf("after 6 calls remaining = %d, want 0 (6/minute)", prev)
	}
	_, err := c.GetStatus(ctx)
	var rl *entrata.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter <= 0 || rl.Service != "status" {
		t.Fatalf("7th call: %v", err)
	}
	if got := env.sim.Calls()["status/getStatus"]; got != 6 {
		t.Errorf("the simulator saw %d calls; the client should not spend a call it knows will fail", got)
	}
}

func TestAuthFailuresArePermanent(t *testing.T) {
	env := newSimEnv(t, nil, entratasim.GenOptions{Seed: 1, UnitsPerProperty: 5})
	tests := []struct {
		name   string
		opts   []entrata.Option
		credit string
	}{
		{"bad key", []entrata.Option{entrata.WithBaseURL(env.apiKeyURL), entrata.WithAPIKey("wrong-" + testKey)}, "ENTRATA_API_KEY"},
		{"bad password", []entrata.Option{entrata.WithBaseURL(env.basicURL), entrata.WithBasicAuth(testUser, "wrong-"+testPassword)}, "ENTRATA_USERNAME/ENTRATA_PASSWORD"},
		{"key on wrong org", []entrata.Option{entrata.WithBaseURL(strings.Replace(env.apiKeyURL, "/acme/", "/other/", 1)), entrata.WithAPIKey(testKey)}, "ENTRATA_API_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := entrata.NewClient(tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.GetStatus(context.Background())
			var ae *entrata.AuthError
			if !errors.As(err, &ae) || ae.HTTPStatus != 401 || !entrata.IsPermanent(err) || entrata.IsRetryable(err) {
				t.Fatalf("err = %v", err)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.credit) {
				t.Errorf("error %q does not name %s", msg, tt.credit)
			}
		})
	}
}
