package access

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

const propertySeeds = 25

func forEachPortfolio(t *testing.T, f func(t *testing.T, rng *rand.Rand, pf portfolio, r Result)) {
	for seed := range uint64(propertySeeds) {
		rng := rand.New(rand.NewPCG(seed, 42))
		pf := genPortfolio(rng, 200+rng.IntN(200), false)
		r := Entitle(pf.policy, pf.units, pf.leases, pf.groups)
		f(t, rng, pf, r)
		if t.Failed() {
			t.Fatalf("seed %d failed", seed)
		}
	}
}

func sampleInstants(rng *rand.Rand, n int) []time.Time {
	base := genBase.At(0, 0, time.UTC)
	out := make([]time.Time, n)
	for i := range out {
		out[i] = base.Add(time.Duration(rng.Int64N(int64(800 * 24 * time.Hour))))
	}
	return out
}

// eligible reports whether a (lease, customer) row may ever grant or end
// access, judged from the raw data.
func eligible(l entrata.Lease, c entrata.Customer) bool {
	return l.Status != entrata.LeaseApplicant && l.Status != entrata.LeaseCancelled &&
		!strings.EqualFold(strings.TrimSpace(c.Type), "guarantor") && !strings.EqualFold(c.Status, "cancelled")
}

func TestPropertyNobodyEntitledOutsideTheirWindow(t *testing.T) {
	forEachPortfolio(t, func(t *testing.T, rng *rand.Rand, pf portfolio, r Result) {
		earliest := map[string]time.Time{}
		latestEnd := map[string]*time.Time{}
		openEnded := map[string]bool{}
		for _, l := range pf.leases {
			for _, c := range l.Customers {
				if !eligible(l, c) {
					continue
				}
				in, out := cmpOrDate(c.MoveInDate, l.MoveInDate), cmpOrDate(c.MoveOutDate, l.MoveOutDate)
				if from := cmpOrDate(in, out); !from.IsZero() {
					at := wallInstant(from, pf.policy.Start, pf.policy.Location)
					if e, ok := earliest[c.ID]; !ok || at.Before(e) {
						earliest[c.ID] = at
					}
				}
				if out.IsZero() {
					openEnded[c.ID] = true
				} else if end := wallInstant(out, pf.policy.End, pf.policy.Location); latestEnd[c.ID] == nil || end.After(*latestEnd[c.ID]) {
					latestEnd[c.ID] = &end
				}
			}
		}
		for _, e := range r.Entitlements {
			if e.Window.From.Before(earliest[e.CustomerID]) {
				t.Errorf("%s starts %v before any Entrata move-in %v", e.ExternalID, e.Window.From, earliest[e.CustomerID])
			}
			if !openEnded[e.CustomerID] && (e.Window.To == nil || e.Window.To.After(*latestEnd[e.CustomerID])) {
				t.Errorf("%s ends %v after every Entrata move-out", e.ExternalID, e.Window)
			}
			for _, g := range e.Grants {
				if g.Window.From.Before(e.Window.From) || endsBefore(e.Window.To, g.Window.To) || g.Window.Empty() {
					t.Errorf("%s grant %d %v outside window %v", e.ExternalID, g.GroupID, g.Window, e.Window)
				}
			}
		}
		for _, now := range sampleInstants(rng, 20) {
			d := DesiredAt(r, now)
			for i, u := range d.Users {
				e := r.Entitlements[i]
				if !u.Window.Contains(now) && now.After(u.Window.From) && (!u.Suspended || len(u.GroupIDs) > 0) {
					t.Errorf("%s active at %v after its window %v", u.ExternalID, now, u.Window)
				}
				when := now
				if now.Before(e.Window.From) {
					when = e.Window.From
				}
				for _, g := range u.GroupIDs {
					if !slices.ContainsFunc(e.Grants, func(gr Grant) bool { return gr.GroupID == g && gr.Window.Contains(when) }) {
						t.Errorf("%s has group %d at %v without a grant", u.ExternalID, g, now)
					}
				}
			}
		}
	})
}

func TestPropertyNoGuarantorOrCancelledEntitled(t *testing.T) {
	forEachPortfolio(t, func(t *testing.T, _ *rand.Rand, pf portfolio, r Result) {
		ok := map[string]bool{}
		for _, l := range pf.leases {
			for _, c := range l.Customers {
				if eligible(l, c) {
					ok[c.ID] = true
				}
			}
		}
		for _, e := range r.Entitlements {
			if !ok[e.CustomerID] {
				t.Errorf("%s is only a guarantor, cancelled, or on applicant/cancelled leases", e.ExternalID)
			}
		}
		for _, ext := range r.Untouchable {
			if !ok[strings.TrimPrefix(ext, Prefix)] {
				t.Errorf("%s untouchable without an eligible row", ext)
			}
		}
	})
}

func TestPropertyTransitions(t *testing.T) {
	forEachPortfolio(t, func(t *testing.T, rng *rand.Rand, _ portfolio, r Result) {
		now := sampleInstants(rng, 1)[0]
		ts := Transitions(r, now)
		for i := range ts {
			if !ts[i].At.After(now) {
				t.Fatalf("transition %v not after now", ts[i])
			}
			if i > 0 && compareTransitions(ts[i-1], ts[i]) >= 0 {
				t.Fatalf("transitions not sorted and unique at %d: %v %v", i, ts[i-1], ts[i])
			}
		}
		instants := NextInstants(r, now, 0)
		for i := 1; i < len(instants); i++ {
			if !instants[i].After(instants[i-1]) {
				t.Fatalf("instants not strictly increasing at %d", i)
			}
		}
		// DesiredAt is constant between consecutive instants.
		points := append([]time.Time{now}, instants...)
		for i := 0; i+1 < len(points) && i < 60; i++ {
			a, b := points[i], points[i+1]
			want := DesiredAt(r, a)
			for _, probe := range []time.Time{a.Add(b.Sub(a) / 2), b.Add(-time.Nanosecond)} {
				if got := DesiredAt(r, probe); !reflect.DeepEqual(got, want) {
					t.Fatalf("desired state changed at %v, between listed instants %v and %v", probe, a, b)
				}
			}
		}
	})
}

func TestPropertyDiff(t *testing.T) {
	forEachPortfolio(t, func(t *testing.T, rng *rand.Rand, _ portfolio, r Result) {
		now := sampleInstants(rng, 1)[0]
		d := DesiredAt(r, now)
		synced := observedFrom(d)
		if cs := Diff(d, synced, DiffOptions{InviteMobilePass: true}); len(cs.Changes) != 0 {
			t.Fatalf("diff of a state with itself: %v", kinds(cs))
		}
		observed := perturb(rng, synced)
		for _, ext := range r.Untouchable {
			observed = append(observed, ObservedUser{BrivoID: int64(len(observed) + 500000), ExternalID: ext, FirstName: "Keep", GroupIDs: []int64{42}})
		}
		opts := DiffOptions{InviteMobilePass: true, ConfirmedGone: map[string]bool{"entrata-GONE1": true}}
		cs := Diff(d, observed, opts)
		after := Apply(observed, cs)
		if again := Diff(d, after, opts); len(again.Changes) != 0 {
			t.Fatalf("diff after apply is not empty: %v", kinds(again))
		}
		byExt := map[string]ObservedUser{}
		for _, o := range after {
			byExt[o.ExternalID] = o
		}
		for _, u := range d.Users {
			o, ok := byExt[u.ExternalID]
			if !ok {
				if !u.Suspended {
					t.Errorf("%s missing after apply", u.ExternalID)
				}
				continue
			}
			if o.Suspended != u.Suspended || !slices.Equal(o.GroupIDs, u.GroupIDs) || o.FirstName != u.FirstName {
				t.Errorf("%s after apply %+v, want %+v", u.ExternalID, o, u)
			}
			for _, cr := range o.Credentials {
				if cr.From == nil || !(Window{From: *cr.From, To: cr.To}).Equal(u.Window) {
					t.Errorf("%s credential %d window not reset", u.ExternalID, cr.ID)
				}
			}
		}
		for _, ext := range r.Untouchable {
			if o := byExt[ext]; o.FirstName != "Keep" || !slices.Equal(o.GroupIDs, []int64{42}) {
				t.Errorf("untouchable %s changed: %+v", ext, o)
			}
		}
		for i := range 5 {
			ext := "entrata-GONE" + string(rune('0'+i))
			o, ok := byExt[ext]
			if (i == 1) == ok || (ok && (!o.Suspended || len(o.GroupIDs) > 0)) {
				t.Errorf("%s after apply: present %v %+v", ext, ok, o)
			}
		}
		for i := range 5 {
			if o := byExt["staff-"+string(rune('0'+i))]; !slices.Equal(o.GroupIDs, []int64{5001}) || o.Suspended {
				t.Errorf("foreign user changed: %+v", o)
			}
		}
	})
}

func TestPropertyDeterministic(t *testing.T) {
	forEachPortfolio(t, func(t *testing.T, rng *rand.Rand, pf portfolio, r Result) {
		leases := slices.Clone(pf.leases)
		for i := range leases {
			leases[i].Customers = slices.Clone(leases[i].Customers)
			rng.Shuffle(len(leases[i].Customers), func(a, b int) {
				leases[i].Customers[a], leases[i].Customers[b] = leases[i].Customers[b], leases[i].Customers[a]
			})
		}
		rng.Shuffle(len(leases), func(a, b int) { leases[a], leases[b] = leases[b], leases[a] })
		units := slices.Clone(pf.units)
		rng.Shuffle(len(units), func(a, b int) { units[a], units[b] = units[b], units[a] })
		again := Entitle(pf.policy, units, leases, pf.groups)
		if !reflect.DeepEqual(again, r) || again.Fingerprint() != r.Fingerprint() {
			t.Fatal("shuffled input gives a different result")
		}
		now := sampleInstants(rng, 1)[0]
		d := DesiredAt(r, now)
		obs := perturb(rng, observedFrom(d))
		cs := Diff(d, obs, DiffOptions{InviteMobilePass: true})
		shuffled := slices.Clone(obs)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if cs2 := Diff(d, shuffled, DiffOptions{InviteMobilePass: true}); !reflect.DeepEqual(cs, cs2) {
			t.Fatal("shuffled observed state gives a different change set")
		}
		if !reflect.DeepEqual(Transitions(r, now), Transitions(again, now)) {
			t.Fatal("transitions differ")
		}
	})
}
