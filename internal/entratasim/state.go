package entratasim

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// Portfolio is everything the simulator knows: properties with their units
// and leases.
type Portfolio struct {
	Properties []PropertyData `json:"properties"`
}

// PropertyData is one property, its units and its leases (every status).
type PropertyData struct {
	Property entrata.Property `json:"property"`
	Units    []entrata.Unit   `json:"units"`
	Leases   []entrata.Lease  `json:"leases"`
}

// clone deep-copies the property.
func (pd PropertyData) clone() PropertyData {
	out := PropertyData{Property: pd.Property}
	for _, u := range pd.Units {
		u.Spaces = slices.Clone(u.Spaces)
		out.Units = append(out.Units, u)
	}
	for _, l := range pd.Leases {
		out.Leases = append(out.Leases, cloneLease(l))
	}
	return out
}

func cloneLease(l entrata.Lease) entrata.Lease {
	l.UnitSpaces = slices.Clone(l.UnitSpaces)
	l.Customers = slices.Clone(l.Customers)
	l.Intervals = slices.Clone(l.Intervals)
	return l
}

// Load replaces the portfolio with a deep copy of p.
func (s *Server) Load(p Portfolio) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.props = nil
	for _, pd := range p.Properties {
		c := pd.clone()
		s.props = append(s.props, &c)
	}
	s.empty = map[string]bool{}
	s.noticeDates = map[string]entrata.Date{}
	s.seq.reset(s.props)
}

// Portfolio returns a deep copy of the current portfolio.
func (s *Server) Portfolio() Portfolio {
	s.mu.Lock()
	defer s.mu.Unlock()
	var p Portfolio
	for _, pd := range s.props {
		p.Properties = append(p.Properties, pd.clone())
	}
	return p
}

// SetEmpty makes getLeases answer zero leases for the property (a
// permission change or an outage on Entrata's side) until set back.
func (s *Server) SetEmpty(propertyID string, empty bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.empty[propertyID] = empty
}

// property finds a property; callers hold s.mu.
func (s *Server) property(id string) *PropertyData {
	for _, pd := range s.props {
		if pd.Property.ID == id {
			return pd
		}
	}
	return nil
}

// lease finds a lease; callers hold s.mu.
func (s *Server) lease(propertyID, leaseID string) (*PropertyData, *entrata.Lease, error) {
	pd := s.property(propertyID)
	if pd == nil {
		return nil, nil, fmt.Errorf("property %s not found", propertyID)
	}
	for i := range pd.Leases {
		if pd.Leases[i].ID == leaseID {
			return pd, &pd.Leases[i], nil
		}
	}
	return pd, nil, fmt.Errorf("lease %s not found in property %s", leaseID, propertyID)
}

// idSeq hands out fresh numeric ids per kind ("lease", "customer",
// "interval", "unit", "space"), above every id already in use.
type idSeq map[string]int64

var idBase = map[string]int64{"lease": 13000000, "customer": 17000000, "interval": 16000000, "unit": 4000000, "space": 4200000}

func (q *idSeq) reset(props []*PropertyData) {
	*q = idSeq{}
	for k, v := range idBase {
		(*q)[k] = v
	}
	bump := func(kind, id string) {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil && n >= (*q)[kind] {
			(*q)[kind] = n + 1
		}
	}
	for _, pd := range props {
		for _, u := range pd.Units {
			bump("unit", u.ID)
			for _, sp := range u.Spaces {
				bump("space", sp.ID)
			}
		}
		for _, l := range pd.Leases {
			bump("lease", l.ID)
			for _, c := range l.Customers {
				bump("customer", c.ID)
			}
			for _, iv := range l.Intervals {
				bump("interval", iv.ID)
			}
		}
	}
}

func (q idSeq) next(kind string) string {
	n := q[kind]
	q[kind] = n + 1
	return strconv.FormatInt(n, 10)
}
