package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
	"github.com/entrata-brivo/entrata-brivo/internal/temporalclient"
	"github.com/entrata-brivo/entrata-brivo/workflows"
)

// The cluster test runs the production topology (PostgreSQL 15, the Temporal
// server 1.29.1 built from source, three worker processes) and breaks it on
// purpose. make cluster-test sets CLUSTER=1 and the binaries' paths.

// cluster is a stack whose Temporal is a real server on PostgreSQL and whose
// worker is several processes.
type cluster struct {
	*stack
	dir        string
	pgEnv      []string
	serverEnv  []string
	serverBin  string
	server     *exec.Cmd
	serverDone chan struct{}
	address    string
	workerBin  string
	workers    []*workerProc
	nextMetric int

	// mu guards pids: what an interrupt must kill.
	mu   sync.Mutex
	pids map[string]int
}

type workerProc struct {
	cmd  *exec.Cmd
	done chan struct{}
	name string
}

func needCluster(t *testing.T) {
	t.Helper()
	if os.Getenv("CLUSTER") != "1" {
		t.Skip("CLUSTER=1 not set: run through make cluster-test")
	}
	needCLI(t)
	for _, v := range []string{"TEMPORAL_SERVER", "SQL_TOOL"} {
		if os.Getenv(v) == "" {
			t.Fatalf("%s is not set (make cluster-test sets it)", v)
		}
	}
}

// startCluster starts PostgreSQL (scripts/cluster-db.sh, as make cluster
// does), the server with deploy/temporal/postgres.yaml, the namespace and the
// search attributes (deploy/temporal/setup-namespace.sh).
func startCluster(t *testing.T) *cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "cluster-test")
	if err != nil {
		t.Fatal(err)
	}
	// PostgreSQL runs as the postgres user, which must reach its folder.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &cluster{dir: dir, serverBin: os.Getenv("TEMPORAL_SERVER"), workerBin: filepath.Join(binDir, "worker"), pids: map[string]int{}}
	pgPort := strings.Split(freePort(t), ":")[1]
	c.pgEnv = append(os.Environ(), "PG_DIR="+filepath.Join(dir, "pg"), "PG_PORT="+pgPort)
	t.Cleanup(func() {
		c.stopAllWorkers()
		c.killServer()
		c.pg(t, "stop")
		if !t.Failed() {
			_ = os.RemoveAll(dir)
		} else {
			t.Logf("cluster logs kept in %s", dir)
		}
	})
	// Interrupted (Ctrl-C, a CI timeout), the test would leave the server
	// and PostgreSQL running: stop them first.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		c.mu.Lock()
		for _, pid := range c.pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		c.mu.Unlock()
		c.pg(t, "stop")
		fmt.Fprintf(os.Stderr, "cluster test: %s: stopped the server, workers and PostgreSQL\n", sig)
		os.Exit(1)
	}()
	t.Cleanup(func() { signal.Stop(sigs); close(sigs) })
	began := time.Now()
	c.pg(t, "start")
	t.Logf("PostgreSQL up with both schemas in %s", time.Since(began).Round(100*time.Millisecond))

	// The server stores its membership ports in a smallint column: the
	// kernel's ephemeral ports (above 32767) do not fit.
	port := func() string { return strconv.Itoa(freeLowPort(t)) }
	c.address = "127.0.0.1:" + port()
	c.serverEnv = append(os.Environ(),
		"DB_PORT="+pgPort, "POSTGRES_SEEDS=127.0.0.1", "POSTGRES_USER=temporal", "POSTGRES_PWD=temporal",
		"TEMPORAL_FRONTEND_PORT="+strings.Split(c.address, ":")[1], "TEMPORAL_FRONTEND_HTTP_PORT="+port(),
		"TEMPORAL_HISTORY_PORT="+port(), "TEMPORAL_MATCHING_PORT="+port(), "TEMPORAL_WORKER_PORT="+port(),
		"TEMPORAL_FRONTEND_MEMBERSHIP_PORT="+port(), "TEMPORAL_HISTORY_MEMBERSHIP_PORT="+port(),
		"TEMPORAL_MATCHING_MEMBERSHIP_PORT="+port(), "TEMPORAL_WORKER_MEMBERSHIP_PORT="+port(),
		"DYNAMIC_CONFIG_FILE_PATH="+filepath.Join(repoRoot, "deploy", "dynamicconfig", "development-sql.yaml"),
	)
	c.startServer(t)
	ns := exec.Command(filepath.Join(repoRoot, "deploy", "temporal", "setup-namespace.sh"))
	ns.Env = append(os.Environ(), "TEMPORAL="+temporalCLI, "TEMPORAL_ADDRESS="+c.address)
	if out, err := ns.CombinedOutput(); err != nil {
		t.Fatalf("setup-namespace.sh: %v\n%s", err, out)
	}
	t.Logf("cluster up (PostgreSQL, server, namespace) in %s", time.Since(began).Round(100*time.Millisecond))
	return c
}

func (c *cluster) pg(t *testing.T, verb string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(repoRoot, "scripts", "cluster-db.sh"), verb)
	cmd.Env = c.pgEnv
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("cluster-db.sh %s: %v\n%s", verb, err, out)
	}
}

func (c *cluster) startServer(t *testing.T) {
	t.Helper()
	logf, err := os.OpenFile(filepath.Join(c.dir, "temporal.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(c.serverBin, "--root", repoRoot, "--config", "deploy/temporal", "--env", "postgres", "--allow-no-auth", "start")
	cmd.Env = c.serverEnv
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the Temporal server: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = logf.Close(); close(done) }()
	c.server, c.serverDone = cmd, done
	c.track("server", cmd.Process.Pid)
	deadline := time.Now().Add(90 * time.Second)
	for {
		if exec.Command(temporalCLI, "operator", "cluster", "health", "--address", c.address, "--command-timeout", "2s").Run() == nil {
			return
		}
		select {
		case <-done:
			t.Fatalf("the Temporal server exited at start; log in %s", filepath.Join(c.dir, "temporal.log"))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Temporal server is not serving after 90s; log in %s", filepath.Join(c.dir, "temporal.log"))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// killServer SIGKILLs the server, as a crash or an OOM kill would.
func (c *cluster) killServer() {
	if c.server == nil {
		return
	}
	_ = syscall.Kill(-c.server.Process.Pid, syscall.SIGKILL)
	<-c.serverDone
	c.server = nil
}

// attach wires the sandbox and a client to the cluster (the stack of the
// dev-server tests, without its dev server and single worker).
func (c *cluster) attach(t *testing.T, sb *sandbox.Sandbox, esURL, bsURL, mapping string) {
	t.Helper()
	s := &stack{t: t, sb: sb, entrataURL: esURL, brivoURL: bsURL, logs: &syncBuffer{}}
	env := sb.Env(esURL, bsURL, mapping)
	env["TEMPORAL_ADDRESS"] = c.address
	env["SYNC_POLL_INTERVAL"] = "10s"
	env["SYNC_AUDIT_INTERVAL"] = "1h"
	env["BRIVO_REQUESTS_PER_SECOND"] = "400"
	env["ENTRATA_REQUESTS_PER_MINUTE"] = "600"
	for k, v := range env {
		s.env = append(s.env, k+"="+v)
	}
	s.env = append(s.env, "PATH="+os.Getenv("PATH"), "HOME="+os.Getenv("HOME"))
	tc, err := temporalclient.Dial(context.Background(), temporalclient.Options{Address: c.address, Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	s.tc = tc
	c.stack = s
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("workers' log (last 12 KB):\n%s", tail(s.logs.String(), 12<<10))
		}
	})
}

func (c *cluster) startWorker(t *testing.T, bin string) *workerProc {
	t.Helper()
	c.nextMetric++
	name := fmt.Sprintf("worker-%d", c.nextMetric)
	cmd := exec.Command(bin)
	cmd.Env = append(slices.Clone(c.env), "METRICS_ADDR="+freePort(t))
	w := &prefixWriter{prefix: name + " ", w: c.logs}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &workerProc{cmd: cmd, done: make(chan struct{}), name: name}
	c.track(name, cmd.Process.Pid)
	go func() { _ = cmd.Wait(); close(p.done) }()
	c.workers = append(c.workers, p)
	return p
}

func (c *cluster) track(name string, pid int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pids[name] = pid
}

func (p *workerProc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func (c *cluster) live() []*workerProc {
	var out []*workerProc
	for _, p := range c.workers {
		if p.alive() {
			out = append(out, p)
		}
	}
	return out
}

func (c *cluster) kill(p *workerProc) {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop stops a worker the way a deployment does: SIGTERM, then wait.
func (c *cluster) stop(t *testing.T, p *workerProc) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Errorf("%s did not stop within 20s of SIGTERM", p.name)
		c.kill(p)
	}
}

func (c *cluster) stopAllWorkers() {
	for _, p := range c.workers {
		if p.alive() {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, p := range c.workers {
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			c.kill(p)
		}
	}
}

// byIdentity finds the worker process behind a Temporal identity
// ("<pid>@<host>", see internal/temporalclient).
func (c *cluster) byIdentity(identity string) *workerProc {
	pidText, _, ok := strings.Cut(identity, "@")
	if !ok {
		return nil
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil {
		return nil
	}
	for _, p := range c.workers {
		if p.cmd.Process.Pid == pid && p.alive() {
			return p
		}
	}
	return nil
}

// applyRunner returns the worker running the property's ApplyPlan now.
func (c *cluster) applyRunner(propertyID string) *workerProc {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := c.tc.DescribeWorkflow(ctx, workflows.PropertySyncWorkflowID(propertyID), "")
	if err != nil || d.RawResponse == nil {
		return nil
	}
	for _, pa := range d.RawResponse.GetPendingActivities() {
		if pa.GetActivityType().GetName() == "ApplyPlan" && pa.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
			return c.byIdentity(pa.GetLastWorkerIdentity())
		}
	}
	return nil
}

// planHolder returns the worker that ran the property's last FetchPlan after
// since: the plan lives in its memory.
func (c *cluster) planHolder(t *testing.T, propertyID string, since time.Time) *workerProc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	it := c.tc.GetWorkflowHistory(ctx, workflows.PropertySyncWorkflowID(propertyID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	fetches := map[int64]bool{}
	identity := ""
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", propertyID, err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == "FetchPlan" {
			fetches[ev.GetEventId()] = true
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && fetches[a.GetScheduledEventId()] && ev.GetEventTime().AsTime().After(since) {
			identity = a.GetIdentity()
		}
	}
	return c.byIdentity(identity)
}

type prefixWriter struct {
	mu     sync.Mutex
	prefix string
	w      *syncBuffer
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if line != "" {
			_, _ = p.w.Write([]byte(p.prefix + line))
		}
	}
	return len(b), nil
}

// timedLeases gives property index i of the sandbox its own access window
// times, in, out (so its move-ins and move-outs today happen at those
// instants, as the demo's do), and adds one resident moving in at in and one
// moving out at out. It returns their external ids.
func timedLeases(t *testing.T, sb *sandbox.Sandbox, i int, in, out time.Time, seq int) (movingIn, movingOut string) {
	t.Helper()
	site := &sb.Sites[i]
	loc, err := time.LoadLocation(site.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	in, out = in.In(loc).Truncate(time.Second), out.In(loc).Truncate(time.Second)
	site.StartTime, site.EndTime = in.Format("15:04:05"), out.Format("15:04:05")
	var units []entrata.Unit
	for _, pd := range sb.Entrata.Portfolio().Properties {
		if pd.Property.ID == site.PropertyID {
			units = pd.Units
		}
	}
	inDay, outDay := entrata.DateOf(in), entrata.DateOf(out)
	inID, outID := fmt.Sprint(9700000+seq*10), fmt.Sprint(9700000+seq*10+1)
	leases := []entrata.Lease{{
		ID: inID, PropertyID: site.PropertyID, Status: entrata.LeaseFuture, IntervalStatus: "Future",
		UnitID: units[len(units)-1].ID, MoveInDate: inDay,
		Customers: []entrata.Customer{{ID: inID, Type: "Primary", Relationship: "Primary", Status: "Future",
			FirstName: "Ina", LastName: "Cluster" + inID, Email: "ina." + inID + "@example.com", MoveInDate: inDay}},
		Intervals: []entrata.LeaseInterval{{StartDate: inDay, EndDate: inDay.AddDays(364),
			TypeID: entrata.IntervalApplication, TypeName: "Application"}},
	}, {
		ID: outID, PropertyID: site.PropertyID, Status: entrata.LeaseNotice, IntervalStatus: "Notice",
		UnitID: units[len(units)-2].ID, MoveInDate: outDay.AddDays(-400), MoveOutDate: outDay,
		Customers: []entrata.Customer{{ID: outID, Type: "Primary", Relationship: "Primary", Status: "Current",
			FirstName: "Otto", LastName: "Cluster" + outID, Email: "otto." + outID + "@example.com", MoveInDate: outDay.AddDays(-400)}},
		Intervals: []entrata.LeaseInterval{{StartDate: outDay.AddDays(-400), EndDate: outDay.AddDays(-36),
			TypeID: entrata.IntervalApplication, TypeName: "Application"}},
	}}
	for _, l := range leases {
		if err := sb.Entrata.UpsertLease(site.PropertyID, l); err != nil {
			t.Fatal(err)
		}
	}
	return access.ExternalID(inID), access.ExternalID(outID)
}

// transferToday moves a plain current household of property index i to a
// vacant unit today: the new unit's group is added at the property's start
// time and the old one's removed at its end time, group changes Brivo cannot
// enforce by itself. Returns the household's external ids (the primary
// first) and the new unit's Brivo group.
func transferToday(t *testing.T, sb *sandbox.Sandbox, i int, at time.Time) ([]string, int64) {
	t.Helper()
	site := sb.Sites[i]
	loc, err := time.LoadLocation(site.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	p := sb.Entrata.Portfolio()
	day := entrata.DateOf(at.In(loc))
	l := findLease(t, p, site.PropertyID, func(l entrata.Lease) bool {
		// Entrata refuses a transfer on or before the move-in date.
		return l.Status == entrata.LeaseCurrent && l.MoveOutDate.IsZero() && l.MoveInDate.Before(day)
	})
	to := vacantUnit(t, p, site.PropertyID, l.UnitID)
	if _, err := sb.Entrata.Transfer(site.PropertyID, l.ID, to.ID, day); err != nil {
		t.Fatal(err)
	}
	household := []string{access.ExternalID(primaryOf(l))}
	for _, cu := range l.Customers {
		if ext := access.ExternalID(cu.ID); ext != household[0] && !strings.EqualFold(cu.Type, "Guarantor") && cu.Status != "Cancelled" {
			household = append(household, ext)
		}
	}
	return household, site.UnitGroups[to.Number]
}

// personReport runs the referee over [from, to) for one person.
func (c *cluster) personReport(ext string, from, to time.Time) brivosim.PersonReport {
	r := c.referee(from, to)
	return r.ByPerson[ext]
}

// explain shows, per access point, when ext was entitled and when ext could
// open it over [from, to), as offsets from s0, for failure messages.
func (c *cluster) explain(ext string, s0, from, to time.Time) string {
	want, err := c.sb.Expected(from, to)
	if err != nil {
		return err.Error()
	}
	got := c.sb.Brivo.PopulationAccess(from, to)
	aps := map[int64]bool{}
	for ap := range want[ext] {
		aps[ap] = true
	}
	for ap := range got[ext] {
		aps[ap] = true
	}
	rel := func(ivs []brivosim.Interval) string {
		var parts []string
		for _, iv := range ivs {
			parts = append(parts, fmt.Sprintf("[S+%.1fs, S+%.1fs)", iv.From.Sub(s0).Seconds(), iv.To.Sub(s0).Seconds()))
		}
		return strings.Join(parts, " ")
	}
	var b strings.Builder
	for ap := range aps {
		fmt.Fprintf(&b, "\n    door %d: entitled %s; could open %s", ap, rel(want[ext][ap]), rel(got[ext][ap]))
	}
	return b.String()
}

// cleanNow reports whether the referee finds nothing wrong for ext over the
// next second.
func (c *cluster) cleanNow(ext string) bool {
	now := time.Now()
	pr := c.personReport(ext, now, now.Add(time.Second))
	return pr.Over == 0 && pr.Under == 0
}

// sleepUntil sleeps until at.
func sleepUntil(at time.Time) {
	if d := time.Until(at); d > 0 {
		time.Sleep(d)
	}
}

func (c *cluster) noDuplicates(t *testing.T) {
	t.Helper()
	seen := map[string]int{}
	for _, u := range c.sb.Brivo.Users() {
		seen[u.ExternalID]++
		mobile := 0
		for _, cr := range u.Credentials {
			if cr.Mobile {
				mobile++
			}
		}
		if mobile > 1 {
			t.Errorf("%s holds %d mobile passes: a second invitation", u.ExternalID, mobile)
		}
	}
	for ext, n := range seen {
		if n > 1 {
			t.Errorf("%s exists %d times in Brivo", ext, n)
		}
	}
}

func (c *cluster) signal(t *testing.T, propertyID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.tc.SignalWorkflow(ctx, workflows.PropertySyncWorkflowID(propertyID), "", workflows.SignalSyncNow, nil); err != nil {
		t.Fatalf("signal %s: %v", propertyID, err)
	}
}

// TestClusterFailures is issue 12's scenario on one timeline, so that the
// two-minute outage overlaps nothing else and the whole run stays near
// seven minutes: worker loss (S+20..S+100), server and worker loss for two
// minutes across a move-in, a move-out and a transfer (S+110..S+230), a
// server-only outage (S+250..S+265), a rolling restart with a fresh build
// across a move-in and a transfer (S+288..), a PostgreSQL restart across a
// move-out and the transfer's second group change (S+355..S+370). The
// referee judges each window and, at the end, the whole run.
func TestClusterFailures(t *testing.T) {
	needCluster(t)
	began := time.Now()
	c := startCluster(t)

	S := time.Now()
	sb, err := sandbox.New(sandbox.Options{
		Seed: 12, Properties: 3, Units: 16, Now: S,
		Demo: &sandbox.Demo{MoveInAfter: 130 * time.Second, MoveOutAfter: 160 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Property 100 (the demo): move-in S+130, move-out S+160, and a transfer
	// at S+130, all during the outage. Property 101: move-in S+85, move-out
	// S+95, after the worker kills. Property 102: move-in and a transfer at
	// S+300 in the rolling restart, move-out (and the transfer's old unit) at
	// S+365 with PostgreSQL down.
	household100, group100 := transferToday(t, sb, 0, S.Add(130*time.Second))
	transfer100 := household100[0]
	in101, out101 := timedLeases(t, sb, 1, S.Add(85*time.Second), S.Add(95*time.Second), 1)
	in102, out102 := timedLeases(t, sb, 2, S.Add(300*time.Second), S.Add(365*time.Second), 2)
	household102, group102 := transferToday(t, sb, 2, S.Add(300*time.Second))
	transfer102 := household102[0]

	es, bs := httptestServer(t, sb)
	dir := t.TempDir()
	if err := sb.WriteFiles(dir, es, bs); err != nil {
		t.Fatal(err)
	}
	c.attach(t, sb, es, bs, filepath.Join(dir, "mapping.yaml"))
	for range 3 {
		c.startWorker(t, c.workerBin)
	}
	if rep := c.discover(); len(rep.Started) != 3 {
		t.Fatalf("discovery: %+v", rep)
	}
	c.converged(60 * time.Second)
	convergedAt := time.Now()
	t.Logf("3 properties converged on 3 workers at S+%s (cluster start to convergence %s)",
		convergedAt.Sub(S).Round(time.Second), convergedAt.Sub(began).Round(time.Second))
	if now := time.Now(); c.referee(now, now.Add(time.Second)).OverGrant != 0 {
		t.Fatalf("over-grant after convergence: %v", firstPeople(c.referee(now, now.Add(time.Second))))
	}

	var figures []string
	figure := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		figures = append(figures, line)
		t.Log(line)
	}

	// --- Worker loss ---------------------------------------------------
	// Two kills close together: the first worker's apply recovers (through
	// the schedule-to-start timeout on its dead queue) while the second
	// kill's transition approaches.
	t.Run("worker loss: mid-apply, and a plan holder with a transition due", func(t *testing.T) {
		ids := addFutureResidents(t, c.stack, "102", 40)
		c.sb.Brivo.SetFault("/v1/api/users", brivosim.Fault{Latency: 80 * time.Millisecond})
		c.signal(t, "102")
		var victim *workerProc
		c.eventually("an apply under way on a known worker", 60*time.Second, func() (bool, string) {
			n := countExisting(c.stack, ids)
			if n >= 3 && n < len(ids) {
				victim = c.applyRunner("102")
			}
			return victim != nil, fmt.Sprintf("%d of %d created", n, len(ids))
		})
		created := countExisting(c.stack, ids)
		c.kill(victim)
		killedAt := time.Now()
		c.sb.Brivo.ClearFaults()
		if created == len(ids) {
			t.Fatal("the apply finished before the kill; nothing was tested")
		}
		t.Logf("SIGKILLed %s in the middle of 102's apply, after %d of %d users, at S+%s",
			victim.name, created, len(ids), killedAt.Sub(S).Round(time.Second))
		c.startWorker(t, c.workerBin) // the supervisor's replacement

		due := S.Add(85 * time.Second)
		sleepUntil(due.Add(-50 * time.Second))
		since := time.Now()
		c.signal(t, "101")
		var holder *workerProc
		c.eventually("a fresh plan for 101", 60*time.Second, func() (bool, string) {
			holder = c.planHolder(t, "101", since)
			return holder != nil, "no FetchPlan since the signal"
		})
		if d := time.Until(due); d > time.Minute || d < 5*time.Second {
			t.Fatalf("101's move-in is %s away; the scenario needs it within the minute", d.Round(time.Second))
		}
		t.Logf("SIGKILLing %s, which holds 101's plan; 101's move-in is due in %s", holder.name, time.Until(due).Round(time.Second))
		c.kill(holder)
		c.startWorker(t, c.workerBin)

		c.eventually("102 converges after the mid-apply kill", 150*time.Second, func() (bool, string) {
			n := countExisting(c.stack, ids)
			now := time.Now()
			r := c.referee(now, now.Add(time.Second))
			return n == len(ids) && r.OverGrant == 0 && r.UnderGrant == 0,
				fmt.Sprintf("%d of %d, over %s under %s", n, len(ids), r.OverGrant, r.UnderGrant)
		})
		figure("worker killed mid-apply: 102 converged %s after the kill", time.Since(killedAt).Round(time.Second))
		sleepUntil(S.Add(100 * time.Second))
		for _, ext := range []string{in101, out101} {
			// From convergence: before it, nobody had a Brivo user yet.
			pr := c.personReport(ext, convergedAt, S.Add(100*time.Second))
			figure("plan holder killed: 101 transition of %s: over-grant %s, under-grant %s", ext, pr.Over, pr.Under)
			if pr.Over > 5*time.Second || pr.Under > 5*time.Second {
				t.Errorf("%s: over %s under %s (limit 5s):%s", ext, pr.Over, pr.Under,
					c.explain(ext, S, convergedAt, S.Add(100*time.Second)))
			}
		}
		c.noDuplicates(t)
	})
	if len(c.live()) != 3 {
		t.Fatalf("%d workers alive, want 3", len(c.live()))
	}

	// --- Server loss: the server and every worker, two minutes ------------
	fresh := t.TempDir()
	t.Run("server and workers down for two minutes", func(t *testing.T) {
		sleepUntil(S.Add(110 * time.Second))
		down := time.Now()
		c.killServer()
		for _, p := range c.live() {
			c.kill(p)
		}
		t.Logf("SIGKILLed the Temporal server and 3 workers at S+%s", down.Sub(S).Round(time.Second))
		// The rolling restart's binary is built while everything is down.
		build := exec.Command("go", "build", "-o", fresh, "./worker")
		build.Dir = repoRoot
		buildStart := time.Now()
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build the new worker: %v\n%s", err, out)
		}
		t.Logf("built the next worker binary in %s during the outage", time.Since(buildStart).Round(time.Second))
		sleepUntil(down.Add(2 * time.Minute))
		c.startServer(t)
		up := time.Now()
		for range 3 {
			c.startWorker(t, c.workerBin)
		}
		t.Logf("server and 3 workers back at S+%s, after %s", up.Sub(S).Round(time.Second), up.Sub(down).Round(time.Second))

		// Brivo enforced the windows written ahead: exact, during the outage.
		for _, ev := range []sandbox.DemoEvent{c.sb.Demo.MoveIn, c.sb.Demo.MoveOut} {
			pr := c.personReport(ev.ExternalID, down, up)
			figure("outage: %s at S+%s (Brivo alone): over-grant %s, under-grant %s", ev.ExternalID,
				ev.At.Sub(S).Round(time.Second), pr.Over, pr.Under)
			if pr.Over != 0 || pr.Under != 0 {
				t.Errorf("%s during the outage: over %s under %s, want 0:%s", ev.ExternalID, pr.Over, pr.Under, c.explain(ev.ExternalID, S, down, up))
			}
		}
		// The transfer's group change needs the product: within 30 s of the end.
		var applied time.Time
		// Polled without stopping the test: a late transfer is reported, and
		// the scenarios after this one still run.
		deadline := up.Add(65 * time.Second) // the rolling restart starts at S+288
		for time.Now().Before(deadline) {
			u, ok := c.sb.Brivo.UserByExternalID(transfer100)
			if ok && contains(u.Groups, group100) && c.cleanNow(transfer100) {
				applied = time.Now()
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
		due := S.Add(130 * time.Second)
		if applied.IsZero() {
			figure("outage: transfer of %s due at S+130 NOT applied within 65 s of the outage's end", transfer100)
			t.Errorf("the transfer was not applied within 65s of the outage's end (limit 30s)")
		} else {
			figure("outage: transfer of %s due at S+130 applied %s after the outage ended (%s after it was due)",
				transfer100, applied.Sub(up).Round(100*time.Millisecond), applied.Sub(due).Round(100*time.Millisecond))
			if applied.Sub(up) > 30*time.Second {
				t.Errorf("the transfer was applied %s after the outage, limit 30s", applied.Sub(up))
			}
		}
		// Nobody else gained or lost anything in the outage.
		r := c.referee(down, time.Now())
		for ext, pr := range r.ByPerson {
			if !slices.Contains(household100, ext) && (pr.Over > 0 || pr.Under > 0) {
				t.Errorf("%s across the outage: over %s under %s:%s", ext, pr.Over, pr.Under, c.explain(ext, S, down, time.Now()))
			}
		}
		c.noDuplicates(t)
	})

	// --- Server only: workers stay up and reconnect ----------------------
	t.Run("server-only outage: workers reconnect without restarting", func(t *testing.T) {
		sleepUntil(S.Add(250 * time.Second))
		before := c.live()
		c.killServer()
		time.Sleep(15 * time.Second)
		c.startServer(t)
		back := time.Now()
		for _, p := range before {
			if !p.alive() {
				t.Errorf("%s exited during a server-only outage", p.name)
			}
		}
		for _, id := range []string{"100", "101", "102"} {
			if rep := c.sync(id); rep.Error != "" || !rep.Fetched || !rep.Applied {
				t.Errorf("sync %s after the server came back: %+v", id, rep)
			}
		}
		figure("server-only outage of 15s: the same 3 worker processes served a sync of every property %s after the restart",
			time.Since(back).Round(100*time.Millisecond))
	})

	// --- Rolling restart with a fresh build across a due transition -------
	t.Run("rolling restart across due transitions", func(t *testing.T) {
		sleepUntil(S.Add(288 * time.Second))
		for _, old := range c.live() {
			nw := c.startWorker(t, filepath.Join(fresh, "worker"))
			time.Sleep(3 * time.Second) // the new one polls before the old one leaves
			c.stop(t, old)
			if !nw.alive() {
				t.Fatalf("%s (new build) exited", nw.name)
			}
			t.Logf("replaced %s by %s (new build) at S+%s", old.name, nw.name, time.Since(S).Round(time.Second))
		}
		due := S.Add(300 * time.Second)
		var applied time.Time
		c.eventually("the transfer at S+300 applied", 75*time.Second, func() (bool, string) {
			u, ok := c.sb.Brivo.UserByExternalID(transfer102)
			if ok && time.Now().After(due) && contains(u.Groups, group102) && c.cleanNow(transfer102) {
				applied = time.Now()
				return true, ""
			}
			return false, fmt.Sprintf("groups %v", u.Groups)
		})
		sleepUntil(applied.Add(2 * time.Second))
		// The move-in is a credential window; the transfer adds the new
		// unit's group at the same instant, which needs a worker.
		in := c.personReport(in102, convergedAt, applied)
		tr := c.personReport(transfer102, due.Add(-10*time.Second), applied.Add(2*time.Second))
		figure("rolling restart: move-in of %s at S+300: over-grant %s, under-grant %s", in102, in.Over, in.Under)
		figure("rolling restart: transfer of %s at S+300 (group change): over-grant %s, under-grant %s (= its lateness)", transfer102, tr.Over, tr.Under)
		if in.Over > 5*time.Second || in.Under > 5*time.Second {
			t.Errorf("%s: over %s under %s (limit 5s):%s", in102, in.Over, in.Under, c.explain(in102, S, convergedAt, applied))
		}
		if tr.Over > 0 || tr.Under > time.Minute {
			t.Errorf("transfer %s in the rolling restart: over %s under %s:%s", transfer102, tr.Over, tr.Under,
				c.explain(transfer102, S, due.Add(-10*time.Second), applied.Add(2*time.Second)))
		}
	})

	// --- Database loss across a due move-out -------------------------------
	t.Run("PostgreSQL restarted while workflows run", func(t *testing.T) {
		sleepUntil(S.Add(355 * time.Second))
		workersBefore := c.live()
		c.pg(t, "crash")
		down := time.Now()
		time.Sleep(15 * time.Second)
		c.pg(t, "start")
		up := time.Now()
		t.Logf("PostgreSQL down (immediate shutdown) for %s at S+%s", up.Sub(down).Round(100*time.Millisecond), down.Sub(S).Round(time.Second))
		due := S.Add(365 * time.Second)
		sleepUntil(due.Add(5 * time.Second))
		pr := c.personReport(out102, due.Add(-10*time.Second), due.Add(5*time.Second))
		figure("database loss: move-out of %s at S+365: over-grant %s, under-grant %s", out102, pr.Over, pr.Under)
		c.eventually("every property syncs after PostgreSQL is back", 90*time.Second, func() (bool, string) {
			for _, id := range []string{"100", "101", "102"} {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				h, err := c.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
					WorkflowID: workflows.PropertySyncWorkflowID(id), UpdateName: workflows.UpdateSync,
					Args: []any{workflows.SyncRequest{Reason: "cluster-test"}}, WaitForStage: client.WorkflowUpdateStageCompleted,
				})
				var rep workflows.SyncReport
				if err == nil {
					err = h.Get(ctx, &rep)
				}
				cancel()
				if err != nil || rep.Error != "" {
					return false, fmt.Sprintf("%s: %v %s", id, err, rep.Error)
				}
			}
			return true, ""
		})
		figure("database loss: every property synced again %s after PostgreSQL was back", time.Since(up).Round(100*time.Millisecond))
		// The transfer's old unit group goes at the same instant; that
		// needs a worker and the database.
		sleepUntil(up.Add(30 * time.Second))
		tr := c.personReport(transfer102, due.Add(-10*time.Second), up.Add(30*time.Second))
		figure("database loss: transfer of %s, old unit removed at S+365 (group change): over-grant %s (%s after PostgreSQL was back), under-grant %s",
			transfer102, tr.Over, (tr.Over - up.Sub(due)).Round(100*time.Millisecond), tr.Under)
		if tr.Over > up.Sub(due)+30*time.Second || tr.Under > 5*time.Second {
			t.Errorf("transfer %s after the database outage: over %s under %s:%s", transfer102, tr.Over, tr.Under,
				c.explain(transfer102, S, due.Add(-10*time.Second), up.Add(30*time.Second)))
		}
		if pr.Over > 5*time.Second || pr.Under > 5*time.Second {
			t.Errorf("%s: over %s under %s (limit 5s):%s", out102, pr.Over, pr.Under, c.explain(out102, S, due.Add(-10*time.Second), due.Add(5*time.Second)))
		}
		for _, p := range workersBefore {
			if !p.alive() {
				t.Errorf("%s exited during the database outage", p.name)
			}
		}
	})

	// --- The whole run -------------------------------------------------------
	t.Run("referee over the whole run", func(t *testing.T) {
		end := time.Now()
		r := c.referee(convergedAt, end)
		for ext, pr := range r.ByPerson {
			if slices.Contains(household100, ext) || slices.Contains(household102, ext) {
				figure("whole run: %s (transferred household) over-grant %s, under-grant %s (its lateness above)", ext, pr.Over, pr.Under)
				continue
			}
			if pr.Over > 5*time.Second || pr.Under > 5*time.Second {
				t.Errorf("%s over the whole run: over %s under %s (limit 5s):%s", ext, pr.Over, pr.Under, c.explain(ext, S, convergedAt, end))
			}
		}
		figure("whole run S+%s..S+%s: referee over-grant %s, under-grant %s in total; %d people with any gap",
			convergedAt.Sub(S).Round(time.Second), end.Sub(S).Round(time.Second), r.OverGrant, r.UnderGrant, len(r.ByPerson))
		if now := time.Now(); c.referee(now, now.Add(time.Second)).OverGrant+c.referee(now, now.Add(time.Second)).UnderGrant != 0 {
			t.Errorf("not converged at the end: %v", firstPeople(c.referee(now, now.Add(time.Second))))
		}
		c.noDuplicates(t)
	})

	t.Logf("cluster-test figures (whole test %s):\n  %s", time.Since(began).Round(time.Second), strings.Join(figures, "\n  "))
	if path := os.Getenv("CLUSTER_FIGURES"); path != "" {
		_ = os.WriteFile(path, []byte(strings.Join(figures, "\n")+"\n"), 0o644)
	}
}

// freeLowPort returns a free loopback port below 32768.
func freeLowPort(t *testing.T) int {
	t.Helper()
	for range 200 {
		p := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err == nil {
			_ = ln.Close()
			return p
		}
	}
	t.Fatal("no free port below 32768")
	return 0
}

// httptestServer serves the sandbox's simulators over HTTP for the test.
func httptestServer(t *testing.T, sb *sandbox.Sandbox) (entrataURL, brivoURL string) {
	t.Helper()
	es := httptest.NewServer(sb.Entrata)
	bs := httptest.NewServer(sb.Brivo)
	t.Cleanup(es.Close)
	t.Cleanup(bs.Close)
	return es.URL, bs.URL
}
