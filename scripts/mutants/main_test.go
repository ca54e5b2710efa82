package main

import (
	"os"
	"strings"
	"testing"
)

func TestParseReadsRulesAndRejectsBadOnes(t *testing.T) {
	rules, err := Parse(`# comment
== first
file:    a.go
search:  x >= y\n\tz
replace: x > y
test:    ./a ./b
run:     TestA

== second
file: b.go
search: s
test: ./b
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 || rules[0].Search != "x >= y\n\tz" || rules[0].Replace != "x > y" ||
		len(rules[0].Tests) != 2 || rules[0].Run != "TestA" || rules[1].Replace != "" {
		t.Fatalf("rules = %+v", rules)
	}
	for _, bad := range []string{"== no file\nsearch: s\ntest: ./a\n", "file: a.go\n", "== x\nfile: a\nsearch: s\ntest: ./a\nwhat: y\n"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestVerdictFailsUnlessEveryBreakIsKilled(t *testing.T) {
	for _, tc := range []struct {
		counts map[string]int
		rules  int
		want   int
	}{
		{map[string]int{Killed: 3}, 3, 0},
		{map[string]int{Killed: 2, Survived: 1}, 3, 1},
		{map[string]int{Killed: 2, Invalid: 1}, 3, 1},
		{map[string]int{}, 0, 1},
	} {
		if got := verdict(tc.counts, tc.rules); got != tc.want {
			t.Errorf("verdict(%v, %d) = %d, want %d", tc.counts, tc.rules, got, tc.want)
		}
	}
}

// The checked-in rules parse, and each names a file that exists and holds
// its search text exactly once.
func TestCheckedInRulesMatchTheCode(t *testing.T) {
	b, err := os.ReadFile("../mutants.txt")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := Parse(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) < 9 {
		t.Fatalf("%d rules; the issue's breaks alone are 9+", len(rules))
	}
	for _, r := range rules {
		src, err := os.ReadFile("../../" + r.File)
		if err != nil {
			t.Errorf("%s: %v", r.Name, err)
			continue
		}
		if n := strings.Count(string(src), r.Search); n != 1 {
			t.Errorf("%s: search text found %d times in %s", r.Name, n, r.File)
		}
	}
}
