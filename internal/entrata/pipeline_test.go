package entrata_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/entratasim"
)

// The pipeline property test of issue 10: generated portfolios go over the
// wire from the Entrata simulator, one field of one random lease is broken
// on the wire, and the client's decoder and the access policy run on the
// answer. Whatever the corruption:
//   - no customer who is not on the corrupted lease gains or loses anything;
//   - a customer on it either keeps exactly what the rest of their data
//     gives (the lease, or their own record, taken out), or is left as they
//     are in Brivo (Untouchable, or absent while HoldAbsent holds);
//   - the corruption is a reported problem.
//
// It runs in make test with a fixed seed. To run it longer or replay a
// failure (the message prints the seed and the corruption):
//
//	PIPELINE_SEED=123 PIPELINE_CASES=5000 go test -run TestPipelineCorruptOneLease ./internal/entrata
func TestPipelineCorruptOneLease(t *testing.T) {
	defaultCases := 400 // about 7 s
	if raceEnabled {
		defaultCases = 60 // make unit runs with -race: about the same time
	}
	seed, cases := envInt(t, "PIPELINE_SEED", 1), envInt(t, "PIPELINE_CASES", defaultCases)
	const perPortfolio = 40
	for first := 0; first < cases; first += perPortfolio {
		portfolioSeed := int64(seed)*1_000_003 + int64(first/perPortfolio)
		p := newPipeline(t, portfolioSeed)
		for n := first; n < min(first+perPortfolio, cases); n++ {
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(n)))
			k := pickCorruption(rng, p.baseLeases)
			if msg := p.check(k); msg != "" {
				t.Fatalf("PIPELINE_SEED=%d case %d (portfolio seed %d): corruption %s:\n%s", seed, n, portfolioSeed, k, msg)
			}
		}
	}
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// pipeline is one generated property behind the simulator, fetched once
// clean (the baseline) and then once per corruption.
type pipeline struct {
	t          *testing.T
	client     *entrata.Client
	wire       *corruptingTransport
	policy     access.PropertyPolicy
	units      []entrata.Unit
	baseLeases []entrata.Lease
	base       access.Result
}

func newPipeline(t *testing.T, seed int64) *pipeline {
	t.Helper()
	env := newSimEnv(t, nil, entratasim.GenOptions{Seed: seed, UnitsPerProperty: 30})
	wire := &corruptingTransport{}
	p := &pipeline{t: t, wire: wire,
		client: env.client(t, "apikey", entrata.WithHTTPClient(&http.Client{Transport: wire, Timeout: 10 * time.Second}))}
	units, _, err := p.client.GetPropertyUnits(context.Background(), "100")
	if err != nil {
		t.Fatal(err)
	}
	p.units = units
	p.policy = access.PropertyPolicy{PropertyID: "100", Location: time.UTC, Start: access.ClockTime{Hour: 10},
		End: access.ClockTime{Hour: 16}, BuildingGroupIDs: []int64{5001}, Units: map[string]int64{}}
	for i, u := range units {
		p.policy.Units[u.ID] = int64(60000 + i)
	}
	leases, r := p.plan()
	if len(r.Problems) > 0 || len(r.Untouchable) > 0 {
		t.Fatalf("portfolio seed %d is not clean: %v", seed, r.Problems)
	}
	p.baseLeases, p.base = leases, r
	return p
}

// plan fetches the leases and runs the policy, with the decoder's problems
// added as the worker adds them.
func (p *pipeline) plan() ([]entrata.Lease, access.Result) {
	leases, probs, _, err := p.client.GetLeases(context.Background(), entrata.LeaseQuery{PropertyID: "100",
		Statuses: []entrata.LeaseStatus{entrata.LeaseFuture, entrata.LeaseCurrent, entrata.LeaseNotice, entrata.LeasePast}})
	if err != nil {
		p.t.Fatal(err)
	}
	r := access.Entitle(p.policy, p.units, leases, nil)
	for _, pr := range probs {
		r.Problems = append(r.Problems, access.Problem{LeaseID: cmpOr(pr.LeaseID, pr.ID), CustomerID: pr.CustomerID, Field: pr.Field, Reason: pr.Reason})
	}
	return leases, r
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// check breaks the wire as k says and returns what went wrong, if anything.
func (p *pipeline) check(k *corruption) string {
	p.wire.set(k)
	_, got := p.plan()
	p.wire.set(nil)

	// affected: the customers whose records k broke; valid: the baseline
	// with those records taken out.
	affected := map[string]bool{}
	valid := make([]entrata.Lease, 0, len(p.baseLeases))
	for _, l := range p.baseLeases {
		if l.ID != k.leaseID && l.ID != k.alsoLease {
			valid = append(valid, l)
			continue
		}
		if k.customer == "" {
			for _, c := range l.Customers {
				affected[c.ID] = true
			}
			continue
		}
		affected[k.customer] = true
		l.Customers = slices.DeleteFunc(slices.Clone(l.Customers), func(c entrata.Customer) bool { return c.ID == k.customer })
		valid = append(valid, l)
	}
	want := access.Entitle(p.policy, p.units, valid, nil)

	var errs []string
	if k.hits == 0 {
		errs = append(errs, "the corruption never reached the wire")
	}
	for _, id := range customerIDs(p.base, got, want) {
		ext := access.ExternalID(id)
		g, untouchable := canon(got, ext), slices.Contains(got.Untouchable, ext)
		switch {
		case !affected[id] && (g != canon(p.base, ext) || untouchable):
			errs = append(errs, fmt.Sprintf("%s is not on the broken record but changed:\n  before %s\n  after  %s (untouchable %v)", ext, canon(p.base, ext), g, untouchable))
		case affected[id] && g == "absent" && canon(p.base, ext) != "absent" && !untouchable && !got.HoldAbsent:
			errs = append(errs, fmt.Sprintf("%s is on the broken record and was taken for gone (had %s): a decode failure must not revoke", ext, canon(p.base, ext)))
		case affected[id] && !untouchable && g != canon(want, ext) && !(got.HoldAbsent && g == "absent"):
			errs = append(errs, fmt.Sprintf("%s is on the broken record: got %s, want what the rest of the data gives, %s, or left as is", ext, g, canon(want, ext)))
		}
	}
	if !reported(got.Problems, k, affected) {
		errs = append(errs, fmt.Sprintf("the corruption is not reported; problems: %v", got.Problems))
	}
	for _, pr := range got.Problems {
		if s := pr.String(); strings.Contains(s, "@") {
			errs = append(errs, "problem carries an e-mail: "+s)
		}
	}
	return strings.Join(errs, "\n")
}

func reported(ps []access.Problem, k *corruption, affected map[string]bool) bool {
	for _, pr := range ps {
		if pr.LeaseID == k.leaseID || (k.alsoLease != "" && pr.LeaseID == k.alsoLease) ||
			strings.HasPrefix(pr.LeaseID, "#") || affected[pr.CustomerID] {
			return true
		}
	}
	return false
}

// customerIDs lists every customer any of the results mentions.
func customerIDs(rs ...access.Result) []string {
	var ids []string
	for _, r := range rs {
		for _, e := range r.Entitlements {
			ids = append(ids, e.CustomerID)
		}
		for _, u := range r.Untouchable {
			ids = append(ids, strings.TrimPrefix(u, access.Prefix))
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// canon renders what a customer may open, and when.
func canon(r access.Result, ext string) string {
	for _, e := range r.Entitlements {
		if e.ExternalID == ext {
			parts := []string{e.Window.String()}
			for _, g := range e.Grants {
				parts = append(parts, fmt.Sprintf("%d %s", g.GroupID, g.Window))
			}
			return strings.Join(parts, "; ")
		}
	}
	return "absent"
}
