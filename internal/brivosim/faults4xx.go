package brivosim

import (
	"fmt"
	"net/http"
	"strings"
)

// RecordFault makes the next Next API calls that match Method and Path
// answer Status, a 4xx that concerns one record (400, 404, 409 or 412),
// with Brivo's {code,message} body and no state change. Unlike Fault (an
// account-wide outage, matched by path prefix) it targets one kind of call,
// e.g. the window assignment after a mobile-pass invitation:
//
//	RecordFault{Method: "PUT", Path: "/users/*/credentials/*", Status: 400, Next: 1}
//
// Path is relative to /v1/api; each segment is literal, or * (or a
// {placeholder}) for any one segment. An empty Method matches every verb.
type RecordFault struct {
	Method  string `json:"method"`
	Path    string `json:"path"`
	Status  int    `json:"status"`
	Next    int    `json:"next"`
	Message string `json:"message,omitempty"` // default: Brivo's usual text for Status
}

// recordFaultMessages are the bodies Brivo sends for these statuses.
var recordFaultMessages = map[int]string{
	http.StatusBadRequest:         "Bad Request: the request could not be processed",
	http.StatusNotFound:           "Requested resource not found",
	http.StatusConflict:           "Conflict: the resource was changed by another request",
	http.StatusPreconditionFailed: "Precondition Failed",
}

type recordFaults struct {
	list []*RecordFault
}

// SetRecordFault adds a record fault. Faults are consumed in the order they
// were added; ClearRecordFaults removes them all.
func (s *Server) SetRecordFault(f RecordFault) error {
	if _, ok := recordFaultMessages[f.Status]; !ok {
		return fmt.Errorf("record fault status %d: want 400, 404, 409 or 412", f.Status)
	}
	if f.Next <= 0 || !strings.HasPrefix(f.Path, "/") {
		return fmt.Errorf("record fault needs next > 0 and a path starting with / (got next %d, path %q)", f.Next, f.Path)
	}
	f.Method = strings.ToUpper(f.Method)
	if f.Message == "" {
		f.Message = recordFaultMessages[f.Status]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rec.list = append(s.rec.list, &f)
	return nil
}

// ClearRecordFaults removes every record fault (ClearFaults does not).
func (s *Server) ClearRecordFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rec.list = nil
}

// RecordFaultsLeft counts the failures still to be served.
func (s *Server) RecordFaultsLeft() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.rec.list {
		n += f.Next
	}
	return n
}

// applyRecordFault answers the request with the first matching record fault
// that has failures left, and reports whether it did. path is relative to
// APIPrefix.
func (s *Server) applyRecordFault(w http.ResponseWriter, method, path string) bool {
	s.mu.Lock()
	var hit *RecordFault
	for _, f := range s.rec.list {
		if f.Next > 0 && (f.Method == "" || f.Method == method) && segmentsMatch(splitPath(f.Path), splitPath(path)) {
			f.Next--
			hit = f
			break
		}
	}
	var status int
	var msg string
	if hit != nil {
		status, msg = hit.Status, hit.Message
	}
	s.mu.Unlock()
	if hit == nil {
		return false
	}
	writeErr(w, status, msg)
	return true
}

func segmentsMatch(pattern, path []string) bool {
	if len(pattern) != len(path) {
		return false
	}
	for i, p := range pattern {
		if p != "*" && !strings.HasPrefix(p, "{") && p != path[i] {
			return false
		}
	}
	return true
}

func (s *Server) registerRecordFaultControl(m *http.ServeMux) {
	m.HandleFunc("POST /_sim/record-faults", func(w http.ResponseWriter, r *http.Request) {
		var b RecordFault
		if !decodeBody(w, r, &b) {
			return
		}
		if err := s.SetRecordFault(b); err != nil {
			writeErr(w, http.StatusBadRequest, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_sim/record-faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]int{"left": s.RecordFaultsLeft()})
	})
	m.HandleFunc("DELETE /_sim/record-faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearRecordFaults()
		w.WriteHeader(http.StatusNoContent)
	})
}
