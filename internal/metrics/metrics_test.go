package metrics

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return string(body)
}

func TestServeExposesProductAndSDKMetrics(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	m, err := New(Options{ReportInterval: 10 * time.Millisecond, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- m.ServeListener(ctx, ln) }()
	url := "http://" + ln.Addr().String() + Path

	m.Grants("100", 3)
	m.Grants("100", 2)
	m.Revocations("100", 1)
	m.Problems("200", 4)
	m.HeldRevocations("100", 7)
	m.UnmappedUnits("100", 2)
	m.UnmappedUnits("100", 1) // a gauge: the latest value wins
	m.EntrataCall("leases", "getLeases", "ok")
	m.EntrataCall("leases", "getLeases", "ok")
	m.EntrataCall("properties", "getProperties", "rate_limited")
	m.BrivoCall("PUT", "/users/42/groups/6001?x=1", "ok", "transition")
	m.BrivoCall("PUT", "/users/43/groups/6002", "ok", "transition")
	m.SyncSucceeded("100", now.Add(-90*time.Second))
	m.SyncSucceeded("100", now.Add(-time.Hour)) // older: ignored
	m.AuditCompleted("100", now.Add(-2*time.Hour))
	m.UnlistedUsers("100", 3)
	m.Workers(3)

	sdk := m.SDKHandler().WithTags(map[string]string{"namespace": "default", "operation": "StartWorkflowExecution", "task_queue": "entrata-brivo"})
	sdk.Counter("temporal_request").Inc(5)
	sdk.Gauge("temporal_num_pollers").Update(2)
	sdk.Timer("temporal_request_latency").Record(20 * time.Millisecond)

	want := []string{
		`entrata_brivo_grants_total{property="100"} 5`,
		`entrata_brivo_revocations_total{property="100"} 1`,
		`entrata_brivo_problems_total{property="200"} 4`,
		`entrata_brivo_held_revocations{property="100"} 7`,
		`entrata_brivo_unmapped_units{property="100"} 1`,
		`entrata_brivo_entrata_calls_total{method="getLeases",outcome="ok",service="leases"} 2`,
		`entrata_brivo_entrata_calls_total{method="getProperties",outcome="rate_limited",service="properties"} 1`,
		`entrata_brivo_brivo_calls_total{method="PUT",outcome="ok",path="/users/{id}/groups/{id}",purpose="transition"} 2`,
		`entrata_brivo_seconds_since_last_sync{property="100"} 90`,
		`entrata_brivo_oldest_unverified_seconds{property="100"} 7200`,
		`entrata_brivo_audit_unlisted_users{property="100"} 3`,
		`entrata_brivo_live_workers 3`,
		`entrata_brivo_last_sync_timestamp_seconds{property="100"} 1.74877911e+09`,
		`temporal_request_total{namespace="default",operation="StartWorkflowExecution",task_queue="entrata-brivo"} 5`,
		`temporal_num_pollers{namespace="default",operation="StartWorkflowExecution",task_queue="entrata-brivo"} 2`,
		`temporal_request_latency_seconds_count{namespace="default",operation="StartWorkflowExecution",task_queue="entrata-brivo"} 1`,
		`go_goroutines `,
	}
	// SDK metrics reach the registry on the tally report interval.
	var missing []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		body := scrape(t, url)
		missing = missing[:0]
		for _, line := range want {
			if !strings.Contains(body, line) {
				missing = append(missing, line)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, line := range missing {
		t.Errorf("scrape lacks %q", line)
	}

	// The age is computed at scrape time.
	now = now.Add(30 * time.Second)
	if body := scrape(t, url); !strings.Contains(body, `entrata_brivo_seconds_since_last_sync{property="100"} 120`) {
		t.Errorf("age not refreshed on scrape:\n%s", grep(body, "since_last_sync"))
	}

	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("ServeListener() = %v after cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ServeListener did not return after cancel")
	}
}

func TestSDKMetricWithConflictingTagsDoesNotPanic(t *testing.T) {
	var logs bytes.Buffer
	m, err := New(Options{ReportInterval: time.Hour, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	m.SDKHandler().WithTags(map[string]string{"a": "1"}).Counter("temporal_x").Inc(1)
	m.SDKHandler().WithTags(map[string]string{"b": "1"}).Counter("temporal_x").Inc(1)
	m.SDKHandler().WithTags(map[string]string{"b": "2"}).Counter("temporal_x").Inc(1)
	if err := m.Close(); err != nil { // flushes; must not panic on the conflict
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "SDK metric not exported"); n != 1 {
		t.Errorf("conflict logged %d times, want once:\n%s", n, logs.String())
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	if body := scrape(t, srv.URL); !strings.Contains(body, `temporal_x_total{a="1"} 1`) {
		t.Errorf("first shape of the metric missing:\n%s", grep(body, "temporal_x"))
	}
}

func TestServeFailsOnBusyAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = NewNop().Serve(context.Background(), ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "metrics: listen") {
		t.Fatalf("Serve on a busy port = %v", err)
	}
}

func TestNopRecordsInMemory(t *testing.T) {
	m := NewNop()
	m.Grants("1", 2)
	m.SDKHandler().Counter("temporal_request").Inc(1)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	body := scrape(t, srv.URL)
	if !strings.Contains(body, `entrata_brivo_grants_total{property="1"} 2`) {
		t.Errorf("nop metrics lost the grant:\n%s", body)
	}
	if strings.Contains(body, "temporal_request") {
		t.Error("nop metrics exported SDK metrics")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestNilMetricsIsSafe(t *testing.T) {
	var m *Metrics
	m.Grants("1", 1)
	m.Revocations("1", 1)
	m.Problems("1", 1)
	m.HeldRevocations("1", 1)
	m.UnmappedUnits("1", 1)
	m.EntrataCall("s", "m", "ok")
	m.BrivoCall("GET", "/users", "ok", "audit-read")
	m.SyncSucceeded("1", time.Now())
	m.SDKHandler().Counter("x").Inc(1)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestPathTemplate(t *testing.T) {
	tests := map[string]string{
		"/users":                       "/users",
		"/users/42":                    "/users/{id}",
		"/users/42/groups/6001":        "/users/{id}/groups/{id}",
		"/users?filter=externalId__eq": "/users",
		"/v1/api/groups/7/users#x":     "/v1/api/groups/{id}/users",
		"/credentials/abc":             "/credentials/abc",
	}
	for in, want := range tests {
		if got := PathTemplate(in); got != want {
			t.Errorf("PathTemplate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNegativeReportInterval(t *testing.T) {
	if _, err := New(Options{ReportInterval: -time.Second}); err == nil {
		t.Fatal("New accepted a negative report interval")
	}
}

func grep(body, substr string) string {
	var out []string
	for l := range strings.SplitSeq(body, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A property with nothing to grant yet still shows its counters at 0, so a
// scrape after a restart is not empty.
func TestZeroCountsCreateTheSeries(t *testing.T) {
	m := NewNop()
	m.Grants("7", 0)
	m.Revocations("7", 0)
	m.Problems("7", 0)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	body := scrape(t, srv.URL)
	for _, want := range []string{
		`entrata_brivo_grants_total{property="7"} 0`,
		`entrata_brivo_revocations_total{property="7"} 0`,
		`entrata_brivo_problems_total{property="7"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}
