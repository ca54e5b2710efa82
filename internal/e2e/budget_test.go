package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

// TestSharedBrivoBudgetAcrossWorkers runs three workers against a Brivo
// simulator whose rate ceiling is the account budget
// (BRIVO_REQUESTS_PER_SECOND): across the initial sync and a full audit
// round, then after one worker is killed and another added, the simulator
// never has to refuse a call with Over Qps.
func TestSharedBrivoBudgetAcrossWorkers(t *testing.T) {
	needCLI(t)
	const budget = 40
	s := startStack(t, sandbox.Options{Seed: 5, Properties: 4, Units: 14, Now: time.Now()},
		map[string]string{"BRIVO_REQUESTS_PER_SECOND": "40", "SYNC_AUDIT_INTERVAL": "15s"})
	s.sb.Brivo.SetRateCeiling(budget)
	w2 := s.extraWorker(t)
	s.extraWorker(t)
	time.Sleep(2 * time.Second) // let the workers poll before work arrives
	start := time.Now()
	if rep := s.discover(); len(rep.Started) != 4 {
		t.Fatalf("discovery %+v", rep)
	}
	s.converged(3 * time.Minute)
	ids := s.sb.PropertyIDs()
	s.waitCycles(t, ids, 0, 1, 2*time.Minute)
	reads, writes := readsAndWrites(s.sb.Brivo.Calls())
	total := reads + writes
	if n := s.sb.Brivo.OverCeiling(); n != 0 {
		t.Fatalf("initial sync and an audit round with 3 workers: %d calls refused Over Qps (ceiling %d/s)", n, budget)
	}
	elapsed := time.Since(start)
	t.Logf("3 workers: %d Brivo calls in %s (%.1f/s, budget %d/s), 0 Over Qps", total, elapsed.Round(time.Second),
		float64(total)/elapsed.Seconds(), budget)
	if float64(total)/elapsed.Seconds() > budget {
		t.Fatalf("mean rate above the budget")
	}

	// One worker dies mid-run, another joins; new residents need writes.
	_ = w2.Process.Signal(syscall.SIGKILL)
	s.extraWorker(t)
	newIDs := addFutureResidents(t, s, ids[0], 8)
	s.eventually("new residents provisioned after the worker change", 2*time.Minute, func() (bool, string) {
		n := countExisting(s, newIDs)
		return n == len(newIDs), fmt.Sprintf("%d of %d provisioned", n, len(newIDs))
	})
	s.waitCycles(t, ids, 0, 1, 2*time.Minute)
	if n := s.sb.Brivo.OverCeiling(); n != 0 {
		t.Fatalf("after a worker was killed and one added: %d calls refused Over Qps", n)
	}
}

// extraWorker starts one more worker process with its own metrics port; it
// is stopped when the test ends.
func (s *stack) extraWorker(t *testing.T) *exec.Cmd {
	t.Helper()
	env := make([]string, 0, len(s.env))
	for _, kv := range s.env {
		if !strings.HasPrefix(kv, "METRICS_ADDR=") {
			env = append(env, kv)
		}
	}
	env = append(env, "METRICS_ADDR="+freePort(t))
	cmd := exec.Command(filepath.Join(binDir, "worker"))
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	return cmd
}
