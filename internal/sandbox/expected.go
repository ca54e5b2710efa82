package sandbox

import (
	"slices"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
)

// Expected says who is entitled to open which door, when, within [from, to),
// according to the Entrata simulator's current portfolio and the access
// policy: the referee's "should" side, in brivosim's shape
// (externalId -> access point -> intervals).
func (s *Sandbox) Expected(from, to time.Time) (map[string]map[int64][]brivosim.Interval, error) {
	groups := s.Brivo.Groups()
	byName := make(access.GroupDirectory, len(groups))
	aps := make(map[int64][]int64, len(groups))
	for _, g := range groups {
		byName.Add(g.Name, g.ID)
		aps[g.ID] = g.AccessPointIDs
	}
	out := map[string]map[int64][]brivosim.Interval{}
	for _, pd := range s.Entrata.Portfolio().Properties {
		policy, err := s.Policy(pd.Property.ID)
		if err != nil {
			return nil, err
		}
		r := access.Entitle(policy, pd.Units, pd.Leases, byName)
		for _, e := range r.Entitlements {
			for _, g := range e.Grants {
				w := intersect(g.Window, e.Window)
				iv, ok := clip(w, from, to)
				if !ok {
					continue
				}
				for _, ap := range aps[g.GroupID] {
					if out[e.ExternalID] == nil {
						out[e.ExternalID] = map[int64][]brivosim.Interval{}
					}
					out[e.ExternalID][ap] = append(out[e.ExternalID][ap], iv)
				}
			}
		}
	}
	for _, byAP := range out {
		for ap, ivs := range byAP {
			byAP[ap] = merge(ivs)
		}
	}
	return out, nil
}

func intersect(a, b access.Window) access.Window {
	w := access.Window{From: a.From, To: a.To}
	if b.From.After(w.From) {
		w.From = b.From
	}
	if b.To != nil && (w.To == nil || b.To.Before(*w.To)) {
		w.To = b.To
	}
	return w
}

func clip(w access.Window, from, to time.Time) (brivosim.Interval, bool) {
	iv := brivosim.Interval{From: w.From, To: to}
	if w.To != nil && w.To.Before(to) {
		iv.To = *w.To
	}
	if iv.From.Before(from) {
		iv.From = from
	}
	return iv, iv.From.Before(iv.To)
}

func merge(ivs []brivosim.Interval) []brivosim.Interval {
	slices.SortFunc(ivs, func(a, b brivosim.Interval) int { return a.From.Compare(b.From) })
	var out []brivosim.Interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.From.After(out[n-1].To) {
			if iv.To.After(out[n-1].To) {
				out[n-1].To = iv.To
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// HandGrant is one line of a test's hand-written expectation: ExternalID
// may open the doors of Groups from From until To (zero: open-ended). Tests
// write these from the rules in access/doc.go, not from access.Entitle, so
// a policy bug shows up as a disagreement.
type HandGrant struct {
	ExternalID string
	Groups     []int64
	From, To   time.Time
}

// ExpectedByHand turns hand-written grants into the referee's shape over
// [from, to). It uses only the Brivo fixture's group → access point map,
// no policy. A person listed with no grants (Groups empty) is expected to
// open nothing, and appears with an empty map.
func (s *Sandbox) ExpectedByHand(grants []HandGrant, from, to time.Time) map[string]map[int64][]brivosim.Interval {
	aps := map[int64][]int64{}
	for _, g := range s.Brivo.Groups() {
		aps[g.ID] = g.AccessPointIDs
	}
	out := map[string]map[int64][]brivosim.Interval{}
	for _, g := range grants {
		if out[g.ExternalID] == nil {
			out[g.ExternalID] = map[int64][]brivosim.Interval{}
		}
		w := access.Window{From: g.From}
		if !g.To.IsZero() {
			to := g.To
			w.To = &to
		}
		iv, ok := clip(w, from, to)
		if !ok {
			continue
		}
		for _, gid := range g.Groups {
			for _, ap := range aps[gid] {
				out[g.ExternalID][ap] = append(out[g.ExternalID][ap], iv)
			}
		}
	}
	for _, byAP := range out {
		for ap, ivs := range byAP {
			byAP[ap] = merge(ivs)
		}
	}
	return out
}

// Only keeps the given people of an access map (absent ones as empty maps),
// so a hand-written table for a few residents can be compared with the
// whole population's access.
func Only(m map[string]map[int64][]brivosim.Interval, people ...string) map[string]map[int64][]brivosim.Interval {
	out := make(map[string]map[int64][]brivosim.Interval, len(people))
	for _, p := range people {
		out[p] = m[p]
	}
	return out
}
