// Package e2e runs entrata-brivo end to end: a real Temporal dev server (the
// CLI, installed by make tools), the real worker binary as a process, and
// both simulators over real HTTP. The Brivo simulator's referee judges the
// result. make test sets TEMPORAL_CLI; without it these tests skip.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
	"github.com/entrata-brivo/entrata-brivo/internal/temporalclient"
	"github.com/entrata-brivo/entrata-brivo/workflows"
)

var (
	binDir      string // built worker and starter
	temporalCLI string
	repoRoot    string
)

func TestMain(m *testing.M) {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Join(filepath.Dir(file), "..", "..")
	temporalCLI = os.Getenv("TEMPORAL_CLI")
	if temporalCLI == "" {
		fmt.Println("e2e: TEMPORAL_CLI is not set (make test sets it); end-to-end tests skip")
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "e2e-bin")
	if err != nil {
		panic(err)
	}
	binDir = dir
	build := exec.Command("go", "build", "-o", binDir, "./worker", "./starter")
	build.Dir = repoRoot
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Println("e2e: build worker and starter:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// stack is one running system: dev server, simulators, worker process.
type stack struct {
	t          *testing.T
	dev        *testsuite.DevServer
	tc         client.Client
	sb         *sandbox.Sandbox
	entrataURL string
	brivoURL   string
	env        []string
	payloadKey string
	worker     *exec.Cmd
	workerDone chan struct{}
	logs       *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func needCLI(t *testing.T) {
	t.Helper()
	if temporalCLI == "" {
		t.Skip("TEMPORAL_CLI not set: run through make test or make integration")
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startStack starts a dev server, the simulators for o, and the worker with
// the given extra environment.
func startStack(t *testing.T, o sandbox.Options, extraEnv map[string]string) *stack {
	t.Helper()
	ctx := context.Background()
	dev, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath: temporalCLI,
		LogLevel:     "error",
		SearchAttributes: temporal.NewSearchAttributes(
			workflows.SearchAttrPropertyID.ValueSet(""), workflows.SearchAttrSyncState.ValueSet(""),
		),
		Stdout: os.Stderr, Stderr: os.Stderr,
	})
	if err != nil {
		t.Fatalf("start dev server: %v", err)
	}
	t.Cleanup(func() { _ = dev.Stop() })

	sb, err := sandbox.New(o)
	if err != nil {
		t.Fatal(err)
	}
	es := httptest.NewServer(sb.Entrata)
	bs := httptest.NewServer(sb.Brivo)
	t.Cleanup(es.Close)
	t.Cleanup(bs.Close)
	dir := t.TempDir()
	if err := sb.WriteFiles(dir, es.URL, bs.URL); err != nil {
		t.Fatal(err)
	}

	s := &stack{t: t, dev: dev, sb: sb, entrataURL: es.URL, brivoURL: bs.URL, logs: &syncBuffer{}}
	env := sb.Env(es.URL, bs.URL, filepath.Join(dir, "mapping.yaml"))
	env["TEMPORAL_ADDRESS"] = dev.FrontendHostPort()
	env["METRICS_ADDR"] = freePort(t)
	env["SYNC_POLL_INTERVAL"] = "10s"
	env["SYNC_AUDIT_INTERVAL"] = "1h"
	env["BRIVO_REQUESTS_PER_SECOND"] = "400"
	env["ENTRATA_REQUESTS_PER_MINUTE"] = "600"
	for k, v := range extraEnv {
		env[k] = v
	}
	s.payloadKey = env["SYNC_PAYLOAD_KEY"]
	for k, v := range env {
		s.env = append(s.env, k+"="+v)
	}
	s.env = append(s.env, "PATH="+os.Getenv("PATH"), "HOME="+os.Getenv("HOME"))

	tc, err := temporalclient.Dial(ctx, temporalclient.Options{
		Address: dev.FrontendHostPort(), Namespace: "default", PayloadKey: s.payloadKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	s.tc = tc
	s.startWorker()
	t.Cleanup(func() {
		s.stopWorker()
		if t.Failed() {
			t.Logf("worker log (last 8 KB):\n%s", tail(s.logs.String(), 8<<10))
		}
	})
	return s
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (s *stack) startWorker() {
	s.t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "worker"))
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start worker: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.worker, s.workerDone = cmd, done
}

// killWorker kills the worker with SIGKILL, as a crash would.
func (s *stack) killWorker() {
	if s.worker == nil {
		return
	}
	_ = s.worker.Process.Signal(syscall.SIGKILL)
	<-s.workerDone
	s.worker = nil
}

func (s *stack) stopWorker() {
	if s.worker == nil {
		return
	}
	_ = s.worker.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.workerDone:
	case <-time.After(15 * time.Second):
		s.killWorker()
	}
	s.worker = nil
}

// eventually polls cond until it holds or the timeout passes.
func (s *stack) eventually(what string, timeout time.Duration, cond func() (bool, string)) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		ok, why := cond()
		if ok {
			return
		}
		last = why
		time.Sleep(250 * time.Millisecond)
	}
	s.t.Fatalf("%s: not reached within %s: %s", what, timeout, last)
}

func (s *stack) discover() workflows.DiscoverReport {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := s.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: "e2e-discovery-" + fmt.Sprint(time.Now().UnixNano()), TaskQueue: workflows.DefaultTaskQueue,
	}, workflows.DiscoverPropertiesWorkflowType, workflows.DiscoverInput{})
	if err != nil {
		s.t.Fatal(err)
	}
	var rep workflows.DiscoverReport
	if err := run.Get(ctx, &rep); err != nil {
		s.t.Fatalf("discovery: %v", err)
	}
	return rep
}

func (s *stack) status(id string) (workflows.Status, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := s.tc.QueryWorkflow(ctx, workflows.PropertySyncWorkflowID(id), "", workflows.QueryStatus)
	if err != nil {
		return workflows.Status{}, err
	}
	var st workflows.Status
	return st, v.Get(&st)
}

// sync runs the sync update and returns its report.
func (s *stack) sync(id string) workflows.SyncReport {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	h, err := s.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.PropertySyncWorkflowID(id), UpdateName: workflows.UpdateSync,
		Args: []any{workflows.SyncRequest{Reason: "e2e"}}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		s.t.Fatalf("sync update %s: %v", id, err)
	}
	var rep workflows.SyncReport
	if err := h.Get(ctx, &rep); err != nil {
		s.t.Fatalf("sync report %s: %v", id, err)
	}
	return rep
}

// converged waits until every property reports a successful sync.
func (s *stack) converged(timeout time.Duration) {
	s.t.Helper()
	s.eventually("every property synced", timeout, func() (bool, string) {
		for _, id := range s.sb.PropertyIDs() {
			st, err := s.status(id)
			if err != nil {
				return false, id + ": " + err.Error()
			}
			if st.LastSuccess == nil || st.Granted == 0 {
				return false, fmt.Sprintf("%s: %+v", id, st)
			}
		}
		return true, ""
	})
}

// referee compares who could open what with who was entitled to, over
// [from, to).
func (s *stack) referee(from, to time.Time) brivosim.Report {
	s.t.Helper()
	want, err := s.sb.Expected(from, to)
	if err != nil {
		s.t.Fatal(err)
	}
	return brivosim.CompareAccess(s.sb.Brivo.PopulationAccess(from, to), want)
}

// cli runs the real temporal CLI against the dev server.
func (s *stack) cli(args ...string) string {
	s.t.Helper()
	args = append(args, "--address", s.dev.FrontendHostPort())
	out, err := exec.Command(temporalCLI, args...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("temporal %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// starterErr runs the real starter binary against the dev server.
func (s *stack) starterErr(args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(binDir, "starter"), args...)
	cmd.Env = []string{"TEMPORAL_ADDRESS=" + s.dev.FrontendHostPort(), "SYNC_PAYLOAD_KEY=" + s.payloadKey,
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (s *stack) starter(t *testing.T, args ...string) string {
	t.Helper()
	out, err := s.starterErr(args...)
	if err != nil {
		t.Fatalf("starter %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}
