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
