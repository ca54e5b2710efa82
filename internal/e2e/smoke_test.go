package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

// TestSmoke runs `make run` headless (scripts/run.sh), asserts through the
// Brivo simulator's referee that the demo's move-in grant and move-out
// revocation happen at their instants, then stops it with Ctrl-C (SIGINT)
// and asserts a clean shutdown that leaves no process behind. make smoke
// sets SMOKE=1.
func TestSmoke(t *testing.T) {
	needCLI(t)
	if os.Getenv("SMOKE") != "1" {
		t.Skip("SMOKE=1 runs the headless demo (make smoke)")
	}
	data := t.TempDir()
	ports := map[string]string{}
	for _, k := range []string{"CODEC_ADDR", "ENTRATA_ADDR", "BRIVO_ADDR", "METRICS_ADDR"} {
		ports[k] = freePort(t)
	}
	temporalPort := strings.TrimPrefix(freePort(t), "127.0.0.1:")
	cmd := exec.Command("bash", filepath.Join(repoRoot, "scripts", "run.sh"))
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "RUN_HEADLESS=1", "RUN_FOR=240", "DATA_DIR="+data,
		"TEMPORAL_PORT="+temporalPort, "DEMO_IN=35s", "DEMO_OUT=50s", "DEMO_UNITS=20")
	for k, v := range ports {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		if t.Failed() {
			t.Logf("run.sh output (last 6 KB):\n%s", tail(logs.String(), 6<<10))
		}
	}()

	var demo struct {
		BrivoURL string            `json:"brivoUrl"`
		Demo     *sandbox.DemoInfo `json:"demo"`
	}
	deadline := time.Now().Add(4 * time.Minute)
	for {
		if b, err := os.ReadFile(filepath.Join(data, "demo.json")); err == nil && json.Unmarshal(b, &demo) == nil && demo.Demo != nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("run.sh exited before the sandbox was up: %v", err)
		case <-time.After(500 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no demo.json: the sandbox never came up")
		}
	}
	d := demo.Demo
	wait := time.Until(d.MoveOut.At.Add(5 * time.Second))
	select {
	case err := <-done:
		t.Fatalf("run.sh exited during the demo: %v", err)
	case <-time.After(wait):
	}

	from, to := d.MoveIn.At.Add(-30*time.Second), d.MoveOut.At.Add(5*time.Second)
	pop := refereeOverHTTP(t, demo.BrivoURL, from, to)
	in := pop[d.MoveIn.ExternalID][d.MoveIn.AccessPointID]
	out := pop[d.MoveOut.ExternalID][d.MoveOut.AccessPointID]
	if len(in) != 1 || absDur(in[0].From.Sub(d.MoveIn.At)) >= 5*time.Second {
		t.Errorf("move-in at %s: the resident could open the entrance during %v", d.MoveIn.At, in)
	} else {
		t.Logf("move-in grant: scheduled %s, door opened for the resident at %s (%s late)",
			d.MoveIn.At.Format(time.TimeOnly), in[0].From.Format(time.TimeOnly), in[0].From.Sub(d.MoveIn.At))
	}
	if len(out) != 1 || absDur(out[0].To.Sub(d.MoveOut.At)) >= 5*time.Second {
		t.Errorf("move-out at %s: the resident could open the entrance during %v", d.MoveOut.At, out)
	} else {
		t.Logf("move-out revocation: scheduled %s, access ended %s (%s late)",
			d.MoveOut.At.Format(time.TimeOnly), out[0].To.Format(time.TimeOnly), out[0].To.Sub(d.MoveOut.At))
	}
	for _, want := range []string{"Access transition applied", "Applied access changes", "The demo is running"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("run.sh output lacks %q", want)
		}
	}

	// Ctrl-C, as a person would.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	select {
	case err := <-done:
		stopped = true
		if err != nil {
			t.Errorf("run.sh did not exit cleanly after Ctrl-C: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("run.sh still running 60s after Ctrl-C")
	}
	var left []string
	for _, pattern := range []string{data, filepath.Join(repoRoot, "bin", "worker"), filepath.Join(repoRoot, "bin", "sandbox"),
		"--port " + temporalPort, ports["CODEC_ADDR"]} {
		if out, err := exec.Command("pgrep", "-af", pattern).Output(); err == nil && len(strings.TrimSpace(string(out))) > 0 {
			left = append(left, strings.TrimSpace(string(out)))
		}
	}
	if len(left) > 0 {
		t.Fatalf("processes left behind after Ctrl-C:\n%s", strings.Join(left, "\n"))
	}
}

func refereeOverHTTP(t *testing.T, brivoURL string, from, to time.Time) map[string]map[int64][]brivosim.Interval {
	t.Helper()
	q := url.Values{"from": {from.UTC().Format(time.RFC3339Nano)}, "to": {to.UTC().Format(time.RFC3339Nano)}}
	resp, err := http.Get(brivoURL + "/_sim/referee?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var pop map[string]map[int64][]brivosim.Interval
	if err := json.NewDecoder(resp.Body).Decode(&pop); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("referee: status %d: %v", resp.StatusCode, err)
	}
	return pop
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
