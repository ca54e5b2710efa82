package access

import (
	"math/rand/v2"
	"testing"
)

// bench5000 is a 5,000-lease property, the same for every benchmark.
func bench5000() (portfolio, Result) {
	pf := genPortfolio(rand.New(rand.NewPCG(5000, 1)), 5000, true)
	return pf, Entitle(pf.policy, pf.units, pf.leases, pf.groups)
}

func BenchmarkEntitle5000(b *testing.B) {
	pf, _ := bench5000()
	b.ReportAllocs()
	for b.Loop() {
		Entitle(pf.policy, pf.units, pf.leases, pf.groups)
	}
}

func BenchmarkDesiredAndTransitions5000(b *testing.B) {
	_, r := bench5000()
	now := genBase.AddDays(365).At(12, 0, denver)
	b.ReportAllocs()
	for b.Loop() {
		DesiredAt(r, now)
		Transitions(r, now)
	}
}

func BenchmarkDiff5000(b *testing.B) {
	_, r := bench5000()
	d := DesiredAt(r, genBase.AddDays(365).At(12, 0, denver))
	observed := perturb(rand.New(rand.NewPCG(1, 2)), observedFrom(d))
	b.ReportAllocs()
	for b.Loop() {
		Diff(d, observed, DiffOptions{InviteMobilePass: true})
	}
}
