// Command mutants is `make mutants`: it applies each deliberate break listed
// in a rules file to a copy of the tree, runs the tests that should catch it,
// and fails unless every break is caught ("killed").
//
// A rules file is a list of blocks separated by blank lines:
//
//	== guard: >= MinCount becomes >
//	file:    internal/access/guard.go
//	search:  d.Unscheduled >= o.MinCount
//	replace: d.Unscheduled > o.MinCount
//	test:    ./internal/access
//	run:     TestGuard
//
// search must occur exactly once in file (a rule the code has outgrown fails
// loudly instead of passing quietly); search and replace may use \n and \t.
// test is one or more package patterns; run is an optional -run regexp.
// A break that does not compile is an error, not a kill.
//
// With -selftest it runs an equivalent break (a comment edit no test can
// see) and exits 0 only if that break is reported as surviving, which is
// what would fail the build: proof the check can fail.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Rule is one deliberate break and the tests that must catch it.
type Rule struct {
	Name    string
	File    string
	Search  string
	Replace string
	Tests   []string
	Run     string
	line    int
}

// Outcome of one rule.
const (
	Killed   = "killed"
	Survived = "survived"
	Invalid  = "invalid" // stale rule or a break that does not build
)

func main() {
	rules := flag.String("rules", "scripts/mutants.txt", "rules file")
	only := flag.String("only", "", "run only the rules whose name contains this")
	selftest := flag.Bool("selftest", false, "check that an unkillable break is reported as surviving")
	timeout := flag.Duration("timeout", 3*time.Minute, "go test -timeout per break")
	flag.Parse()
	root, err := os.Getwd()
	if err != nil {
		fatal(err)
	}
	var list []Rule
	if *selftest {
		list = []Rule{selfTestRule}
	} else {
		b, err := os.ReadFile(*rules)
		if err != nil {
			fatal(err)
		}
		if list, err = Parse(string(b)); err != nil {
			fatal(fmt.Errorf("%s: %w", *rules, err))
		}
	}
	if *only != "" {
		var keep []Rule
		for _, r := range list {
			if strings.Contains(r.Name, *only) {
				keep = append(keep, r)
			}
		}
		list = keep
	}
	work, err := copyTree(root)
	if err != nil {
		fatal(err)
	}
	started := time.Now()
	counts := map[string]int{}
	for i, r := range list {
		t0 := time.Now()
		outcome, detail := runRule(work, r, *timeout)
		counts[outcome]++
		fmt.Printf("%-8s %2d/%d %-60s %5.1fs\n", outcome, i+1, len(list), r.Name, time.Since(t0).Seconds())
		if detail != "" {
			fmt.Println(indent(detail))
		}
	}
	fmt.Printf("mutants: %d killed, %d survived, %d invalid of %d in %.0fs\n",
		counts[Killed], counts[Survived], counts[Invalid], len(list), time.Since(started).Seconds())
	code := verdict(counts, len(list))
	if *selftest {
		if counts[Survived] != 1 || code == 0 {
			fatal(errors.New("selftest: the unkillable break was not reported as surviving, or would not fail the build"))
		}
		fmt.Printf("selftest ok: the surviving break is reported and `make mutants` would exit %d\n", code)
		return
	}
	os.Exit(code)
}

// verdict is the exit code: 0 only when every break was killed.
func verdict(counts map[string]int, rules int) int {
	if rules == 0 || counts[Killed] != rules {
		return 1
	}
	return 0
}

// selfTestRule changes only a comment: no test can kill it.
var selfTestRule = Rule{
	Name:    "selftest: a comment edit no test can see",
	File:    "internal/access/guard.go",
	Search:  "// GuardOptions tune the mass-revocation guard.",
	Replace: "// GuardOptions tune the mass revocation guard.",
	Tests:   []string{"./internal/access"},
	Run:     "TestGuard",
}

// Parse reads a rules file.
func Parse(text string) ([]Rule, error) {
	var out []Rule
	var cur *Rule
	flush := func() error {
		if cur == nil {
			return nil
		}
		if cur.File == "" || cur.Search == "" || len(cur.Tests) == 0 {
			return fmt.Errorf("line %d: rule %q needs file, search and test", cur.line, cur.Name)
		}
		out = append(out, *cur)
		cur = nil
		return nil
	}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " \t\r")
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.TrimSpace(line) == "":
			if err := flush(); err != nil {
				return nil, err
			}
		case strings.HasPrefix(line, "=="):
			if err := flush(); err != nil {
				return nil, err
			}
			cur = &Rule{Name: strings.TrimSpace(strings.TrimPrefix(line, "==")), line: i + 1}
		default:
			if cur == nil {
				return nil, fmt.Errorf("line %d: %q outside a rule (start one with ==)", i+1, line)
			}
			key, val, ok := strings.Cut(line, ":")
			if !ok {
				return nil, fmt.Errorf("line %d: want key: value", i+1)
			}
			val = unescape(strings.TrimSpace(val))
			switch strings.TrimSpace(key) {
			case "file":
				cur.File = val
			case "search":
				cur.Search = val
			case "replace":
				cur.Replace = val
			case "test":
				cur.Tests = strings.Fields(val)
			case "run":
				cur.Run = val
			default:
				return nil, fmt.Errorf("line %d: unknown key %q", i+1, key)
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

func unescape(s string) string {
	return strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace(s)
}

// runRule mutates one file of the copy, runs the rule's tests and puts the
// file back.
func runRule(work string, r Rule, timeout time.Duration) (string, string) {
	path := filepath.Join(work, r.File)
	orig, err := os.ReadFile(path)
	if err != nil {
		return Invalid, err.Error()
	}
	if n := bytes.Count(orig, []byte(r.Search)); n != 1 {
		return Invalid, fmt.Sprintf("search text found %d times in %s (want exactly 1): update the rule", n, r.File)
	}
	mutated := bytes.Replace(orig, []byte(r.Search), []byte(r.Replace), 1)
	if err := os.WriteFile(path, mutated, 0o644); err != nil {
		return Invalid, err.Error()
	}
	defer func() { _ = os.WriteFile(path, orig, 0o644) }()

	args := []string{"test", "-count=1", "-timeout", timeout.String()}
	if r.Run != "" {
		args = append(args, "-run", r.Run)
	}
	args = append(args, r.Tests...)
	out, err := goCmd(work, timeout+30*time.Second, args...)
	switch {
	case strings.Contains(out, "no tests to run"):
		return Invalid, "-run matches no test in some package:\n" + tail(out, 800)
	case err == nil:
		return Survived, "tests passed with the break in place: go " + strings.Join(args, " ")
	case strings.Contains(out, "[build failed]") || strings.Contains(out, "[setup failed]"):
		return Invalid, "the break does not build:\n" + tail(out, 1500)
	}
	return Killed, "by " + failedTests(out)
}

// failedTests names the tests and subtests that failed, for the report.
func failedTests(out string) string {
	var names []string
	seen := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		name, ok := strings.CutPrefix(strings.TrimSpace(line), "--- FAIL: ")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, " ")
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "a failing package (no test named)"
	}
	return strings.Join(names, ", ")
}

func goCmd(dir string, timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.String(), err
}

// copyTree copies the module (without bin, .data and .git) to a folder that
// stays the same between runs, so the Go build cache is reused.
func copyTree(root string) (string, error) {
	dst := filepath.Join(os.TempDir(), "entrata-brivo-mutants", strings.ReplaceAll(strings.Trim(root, "/"), "/", "_"))
	if err := os.RemoveAll(dst); err != nil {
		return "", err
	}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && (rel == "bin" || rel == ".data" || rel == ".git") {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&os.ModeSymlink != 0:
			if rel == "bin" {
				return nil
			}
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, 0o644)
		}
		return nil
	})
	return dst, err
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func indent(s string) string {
	return "         " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n         ")
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "mutants:", err)
	os.Exit(2)
}
