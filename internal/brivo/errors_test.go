package brivo

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
)

func TestGatewayFaultsAreRetryableWithRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		fault      brivosim.Fault
		wantStatus int
		wantAfter  time.Duration
		wantText   string
	}{
		{"403 over qps", brivosim.Fault{Next: 1, Status: 403, RetryAfter: time.Second}, 403, time.Second, "Over Qps"},
		{"429", brivosim.Fault{Next: 1, Status: 429, RetryAfter: 3 * time.Second}, 429, 3 * time.Second, "429"},
		{"503", brivosim.Fault{Next: 1, Status: 503, RetryAfter: 7 * time.Second}, 503, 7 * time.Second, "503"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, simOptions())
			ctx := ctxT(t)
			e.sim.SetFault("/v1/api/groups", tc.fault)
			_, err := e.client.Groups.ListAll(ctx)
			var er *ErrorResponse
			if !errors.As(err, &er) || er.StatusCode != tc.wantStatus || !IsRetryable(err) || IsPermanent(err) {
				t.Fatalf("err = %v; want retryable %d", err, tc.wantStatus)
			}
			if d, ok := RetryAfter(err); !ok || d != tc.wantAfter {
				t.Fatalf("RetryAfter = %v, %v; want %v", d, ok, tc.wantAfter)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("err %q does not mention %q", err, tc.wantText)
			}
			if _, err := e.client.Groups.ListAll(ctx); err != nil {
				t.Fatalf("fault of 1 call persisted: %v", err)
			}
		})
	}
}

func TestWrongVerbIsPermanentBug(t *testing.T) {
	e := newEnv(t, simOptions())
	// No service method uses a wrong verb; send one through the same do path.
	_, err := e.client.sendNoBody(ctxT(t), http.MethodPatch, "/groups", "/groups", map[string]string{})
	var er *ErrorResponse
	if !errors.As(err, &er) || er.StatusCode != 596 || !IsPermanent(err) || IsRetryable(err) {
		t.Fatalf("err = %v; want permanent 596", err)
	}
	if !strings.Contains(err.Error(), "wrong verb (bug)") {
		t.Fatalf("err = %q", err)
	}
}

func TestCallObserverOutcomes(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{}
	e := newEnv(t, simOptions(), WithCallObserver(func(c Call) {
		mu.Lock()
		defer mu.Unlock()
		got[c.Method+" "+c.Path+" "+c.Outcome+" "+c.Purpose]++
	}))
	ctx := ctxT(t)
	_, _ = e.client.Groups.ListAll(WithPurpose(ctx, "audit-read"))
	_, _, _ = e.client.Users.Get(ctx, 12345)
	e.sim.SetFault("/v1/api/sites", brivosim.Fault{Next: 1, Status: 503})
	_, _ = e.client.Sites.ListAll(ctx)
	_, _ = e.client.sendNoBody(ctx, http.MethodDelete, "/sites", "/sites", nil)
	want := map[string]int{
		"GET /groups ok audit-read":       1,
		"GET /users/{id} not_found other": 1,
		"GET /sites retryable other":      1,
		"DELETE /sites permanent other":   1,
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("observed %v; want %v", got, want)
		}
	}
	if Outcome(&TransportError{Err: errors.New("dial")}) != "error" {
		t.Fatal("transport error outcome")
	}
	if o := Outcome(&ErrorResponse{StatusCode: http.StatusConflict}); o != "conflict" {
		t.Fatalf("409 outcome %q; want conflict", o)
	}
}

func TestLimiterKeepsBurstUnderSimulatorCeiling(t *testing.T) {
	e := newEnv(t, simOptions(), WithRateLimit(50))
	e.sim.SetRateCeiling(60)
	ctx := ctxT(t)
	if err := e.client.CheckAuth(ctx); err != nil {
		t.Fatal(err)
	}
	e.sim.ResetCalls()
	const n = 200
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			if _, _, err := e.client.Groups.Get(ctx, e.demo.BuildingGroup.ID); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("call failed under the ceiling: %v", err)
	}
	elapsed := time.Since(start)
	if got := e.sim.Calls()["GET /groups/{id}"]; got != n {
		t.Fatalf("simulator saw %d calls; want %d (none retried)", got, n)
	}
	if elapsed < 3900*time.Millisecond {
		t.Fatalf("200 calls took %v; a 50/s limiter needs about 4 s", elapsed)
	}

	// The ceiling is real: an unthrottled client trips it.
	fast := newClientFor(t, e.srv.URL, testCreds, WithRateLimit(10000))
	overQps := 0
	for range 100 {
		_, _, err := fast.Groups.Get(ctx, e.demo.BuildingGroup.ID)
		var er *ErrorResponse
		if errors.As(err, &er) && er.StatusCode == 403 && IsRetryable(err) {
			overQps++
		}
	}
	if overQps == 0 {
		t.Fatal("100 unthrottled calls never hit the 60/s ceiling")
	}
}

// The gateway's Over Qps and 429 are about the account, not the call: the
// client holds every call for the Retry-After, so the calls that follow the
// refused one are not refused too. A 503 is the call's own and holds nothing.
func TestGatewayThrottleHoldsEveryCall(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault brivosim.Fault
		hold  time.Duration
	}{
		{"403 over qps", brivosim.Fault{Next: 1, Status: 403, RetryAfter: time.Second}, time.Second},
		{"429", brivosim.Fault{Next: 1, Status: 429, RetryAfter: 2 * time.Second}, 2 * time.Second},
		{"503", brivosim.Fault{Next: 1, Status: 503, RetryAfter: 2 * time.Second}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, simOptions())
			ctx := ctxT(t)
			e.sim.SetFault("/v1/api/groups", tc.fault)
			refused := time.Now()
			if _, err := e.client.Groups.ListAll(ctx); !IsRetryable(err) {
				t.Fatalf("err = %v; want the injected %d", err, tc.fault.Status)
			}
			// Another call, on another path.
			if _, err := e.client.Sites.ListAll(ctx); err != nil {
				t.Fatal(err)
			}
			waited := time.Since(refused)
			if waited < tc.hold-50*time.Millisecond || (tc.hold == 0 && waited > 500*time.Millisecond) {
				t.Fatalf("the next call went %v after the refusal; want a hold of %v", waited, tc.hold)
			}
		})
	}
}

// Calls made at once reuse the connections of the calls before them rather
// than each opening one (net/http keeps only two idle per host by default).
func TestConcurrentCallsReuseConnections(t *testing.T) {
	sim := brivosim.New(simOptions())
	sim.SeedDemo("Test Site", 3)
	sim.SetFault("/v1/api/sites", brivosim.Fault{Latency: 100 * time.Millisecond}) // so the calls overlap
	srv := httptest.NewUnstartedServer(sim)
	var opened atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := newClientFor(t, srv.URL, testCreds)
	ctx := ctxT(t)
	const n = 16
	for range 3 {
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.Sites.ListAll(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	// The first round opens up to n (and the token's); the others reuse them.
	if got := opened.Load(); got > n+2 {
		t.Fatalf("%d connections opened for 3 rounds of %d calls at once; want at most %d", got, n, n+2)
	}
}
