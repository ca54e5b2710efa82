package entratasim

import "time"

// Fault is what a service should do wrong on its next calls. Counters count
// down as calls consume them; Latency stays until cleared.
type Fault struct {
	FailNext          int           `json:"failNext,omitempty"`          // next N calls answer Status with a non-JSON body
	Status            int           `json:"status,omitempty"`            // 500 (default) or 503
	ErrorEnvelopeNext int           `json:"errorEnvelopeNext,omitempty"` // next N calls answer HTTP 200 with response.error
	ErrorCode         int           `json:"errorCode,omitempty"`         // that envelope's code (default 500)
	Latency           time.Duration `json:"latency,omitempty"`           // added before every answer
	ExhaustRateLimit  bool          `json:"exhaustRateLimit,omitempty"`  // use up the service's windows now (one-shot)
	MalformedNext     int           `json:"malformedNext,omitempty"`     // next N getLeases pages carry one malformed lease
}

// SetFault sets the fault of service ("status", "properties",
// "propertyunits", "leases", or "*" for every service without its own).
func (s *Server) SetFault(service string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.ExhaustRateLimit {
		for name, q := range s.quotas {
			if service == "*" || service == name {
				q.exhaust(s.now())
			}
		}
		f.ExhaustRateLimit = false
	}
	s.faults[service] = &f
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string]*Fault{}
}

// faultFor returns the fault that applies to service; callers hold s.mu.
func (s *Server) faultFor(service string) *Fault {
	if f, ok := s.faults[service]; ok {
		return f
	}
	if f, ok := s.faults["*"]; ok {
		return f
	}
	return &Fault{}
}
