package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

// TestScaleBenchmark is the portfolio-scale benchmark (make bench-scale). It
// runs only when SCALE=1; SCALE_PROPERTIES, SCALE_UNITS, SCALE_WORKERS and
// SCALE_BUDGET size it (defaults 10 × 60 units, 2 workers, 200 requests/s).
// It starts the dev server, the simulators (the Brivo ceiling set to the
// budget) and the workers, lets the sync converge, runs one full audit
// round, and prints a table: the initial sync against its physical bound
// (writes ÷ budget), steady-state Brivo reads and writes per hour per 1,000
// residents, Over Qps replies, and each worker's peak RSS. With
// SCALE_FIGURES=path the table is also written there.
func TestScaleBenchmark(t *testing.T) {
	needCLI(t)
	if os.Getenv("SCALE") != "1" {
		t.Skip("the scale benchmark runs with SCALE=1 (make bench-scale)")
	}
	props, units := envInt("SCALE_PROPERTIES", 10), envInt("SCALE_UNITS", 60)
	workers, budget := envInt("SCALE_WORKERS", 2), envInt("SCALE_BUDGET", 200)
	s := startStack(t, sandbox.Options{Seed: 21, Properties: props, Units: units, Now: time.Now()},
		map[string]string{"BRIVO_REQUESTS_PER_SECOND": strconv.Itoa(budget), "SYNC_AUDIT_INTERVAL": "1m",
			"SYNC_POLL_INTERVAL": "5m", "ENTRATA_REQUESTS_PER_MINUTE": "6000"})
	s.sb.Brivo.SetRateCeiling(budget)
	pids := []int{s.worker.Process.Pid}
	for range workers - 1 {
		pids = append(pids, s.extraWorker(t).Process.Pid)
	}
	time.Sleep(10 * time.Second) // every worker listed by the server and sharing the budget
	s.sb.Brivo.ResetCalls()

	start := time.Now()
	s.discover()
	s.converged(time.Hour)
	initial := time.Since(start)
	reads, writes := readsAndWrites(s.sb.Brivo.Calls())
	residents := 0
	for _, u := range s.sb.Brivo.Users() {
		if access.Owned(u.ExternalID) {
			residents++
		}
	}
	bound := time.Duration(float64(writes) / float64(budget) * float64(time.Second))
	overInitial := s.sb.Brivo.OverCeiling()

	// One full audit round: every property audits again (SYNC_AUDIT_INTERVAL 1m).
	s.sb.Brivo.ResetCalls()
	entrata0 := sumCalls(s.sb.Entrata.Calls())
	auditStart := time.Now()
	s.waitCycles(t, s.sb.PropertyIDs(), 0, 1, time.Hour)
	round := time.Since(auditStart)
	aReads, aWrites := readsAndWrites(s.sb.Brivo.Calls())
	entrataRound := sumCalls(s.sb.Entrata.Calls()) - entrata0

	var b strings.Builder
	fmt.Fprintf(&b, "scale benchmark: %d properties × %d units, %d residents with Brivo users, %d workers, budget %d requests/s (simulator ceiling the same)\n",
		props, units, residents, workers, budget)
	fmt.Fprintf(&b, "| figure | value |\n|---|---|\n")
	fmt.Fprintf(&b, "| initial sync wall time | %s |\n", initial.Round(time.Second))
	fmt.Fprintf(&b, "| initial sync Brivo writes / reads | %d / %d |\n", writes, reads)
	fmt.Fprintf(&b, "| physical bound (writes ÷ budget) | %s |\n", bound.Round(time.Second))
	fmt.Fprintf(&b, "| initial sync ÷ bound | %.2f |\n", initial.Seconds()/max(bound.Seconds(), 1e-9))
	fmt.Fprintf(&b, "| Over Qps replies (initial sync, audit round) | %d, %d |\n", overInitial, s.sb.Brivo.OverCeiling())
	fmt.Fprintf(&b, "| until every property audited again (interval 1 m) | %s |\n", round.Round(time.Second))
	fmt.Fprintf(&b, "| audit round Brivo reads / writes per 1,000 residents | %.0f / %.0f |\n",
		float64(aReads)/float64(residents)*1000, float64(aWrites)/float64(residents)*1000)
	fmt.Fprintf(&b, "| Entrata calls meanwhile (poll 5 m) | %d |\n", entrataRound)
	for i, pid := range pids {
		fmt.Fprintf(&b, "| worker %d peak RSS | %s |\n", i+1, peakRSS(pid))
	}
	t.Log("\n" + b.String())
	if path := os.Getenv("SCALE_FIGURES"); path != "" {
		_ = os.WriteFile(path, []byte(b.String()), 0o644)
	}
	if overInitial != 0 {
		t.Fatalf("%d calls refused Over Qps during the initial sync", overInitial)
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// readsAndWrites adds up the simulator's API calls by kind, token requests
// left out.
func readsAndWrites(calls map[string]int) (reads, writes int) {
	for k, n := range calls {
		if method, path, _ := strings.Cut(k, " "); path != "/oauth/token" {
			if method == "GET" {
				reads += n
			} else {
				writes += n
			}
		}
	}
	return reads, writes
}

func sumCalls(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// peakRSS reads a process's peak resident set (VmHWM).
func peakRSS(pid int) string {
	out, err := exec.Command("grep", "VmHWM", fmt.Sprintf("/proc/%d/status", pid)).Output()
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(out))[1:], " ")
}
