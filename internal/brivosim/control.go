package brivosim

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// registerControl wires the /_sim/ control API: seeding, dumps, call
// counts, faults, console edits and the referee. It needs no credentials.
func (s *Server) registerControl() {
	m := http.NewServeMux()
	m.HandleFunc("GET /_sim/users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Users())
	})
	m.HandleFunc("GET /_sim/users/external/{ext}", func(w http.ResponseWriter, r *http.Request) {
		if u, ok := s.UserByExternalID(r.PathValue("ext")); ok {
			writeJSON(w, http.StatusOK, u)
			return
		}
		writeUserNotFound(w)
	})
	m.HandleFunc("POST /_sim/users/{id}/redeem", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		writeJSON(w, http.StatusOK, map[string]int{"redeemed": s.RedeemInvitations(id)})
	})
	m.HandleFunc("GET /_sim/groups", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Groups())
	})
	m.HandleFunc("GET /_sim/calls", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Calls())
	})
	m.HandleFunc("DELETE /_sim/calls", func(w http.ResponseWriter, r *http.Request) {
		s.ResetCalls()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_sim/timeline", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Timeline())
	})
	s.registerSeedControl(m)
	s.registerFaultControl(m)
	s.registerRecordFaultControl(m)
	s.registerRefereeControl(m)
	m.HandleFunc("POST /_sim/manual", s.controlManual)
	s.control = m
}

// seeding panics on unknown ids; the control API turns that into a 400.
func guard(w http.ResponseWriter, fn func()) {
	defer func() {
		if p := recover(); p != nil {
			writeErr(w, http.StatusBadRequest, fmt.Sprint(p))
		}
	}()
	fn()
}

func (s *Server) registerSeedControl(m *http.ServeMux) {
	m.HandleFunc("POST /_sim/sites", func(w http.ResponseWriter, r *http.Request) {
		var b struct{ Name string }
		if decodeBody(w, r, &b) {
			writeJSON(w, http.StatusOK, s.AddSite(b.Name))
		}
	})
	m.HandleFunc("POST /_sim/access-points", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			SiteID int64 `json:"siteId"`
			Name   string
		}
		if decodeBody(w, r, &b) {
			guard(w, func() { writeJSON(w, http.StatusOK, s.AddAccessPoint(b.SiteID, b.Name)) })
		}
	})
	m.HandleFunc("POST /_sim/groups", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Name           string
			AccessPointIDs []int64 `json:"accessPointIds"`
		}
		if decodeBody(w, r, &b) {
			guard(w, func() { writeJSON(w, http.StatusOK, s.AddGroup(b.Name, b.AccessPointIDs...)) })
		}
	})
	m.HandleFunc("PUT /_sim/groups/{id}/access-points", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		var b struct {
			AccessPointIDs []int64 `json:"accessPointIds"`
		}
		if decodeBody(w, r, &b) {
			guard(w, func() {
				s.SetGroupAccessPoints(id, b.AccessPointIDs...)
				w.WriteHeader(http.StatusNoContent)
			})
		}
	})
	m.HandleFunc("POST /_sim/cards", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			ReferenceID string `json:"referenceId"`
		}
		if decodeBody(w, r, &b) {
			writeJSON(w, http.StatusOK, map[string]int64{"id": s.AddCard(b.ReferenceID)})
		}
	})
	m.HandleFunc("POST /_sim/seed-demo", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Name  string
			Units int
		}
		if decodeBody(w, r, &b) {
			writeJSON(w, http.StatusOK, s.SeedDemo(b.Name, b.Units))
		}
	})
}

// faultBody is the control API's fault: durations in seconds/milliseconds
// so curl users need not count nanoseconds.
type faultBody struct {
	Path              string  `json:"path"`
	Next              int     `json:"next"`
	Status            int     `json:"status"`
	OverQps           bool    `json:"overQps"`
	RetryAfterSeconds float64 `json:"retryAfterSeconds"`
	LatencyMs         int     `json:"latencyMs"`
}

func (s *Server) registerFaultControl(m *http.ServeMux) {
	m.HandleFunc("POST /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var b faultBody
		if !decodeBody(w, r, &b) {
			return
		}
		s.SetFault(b.Path, Fault{Next: b.Next, Status: b.Status, OverQps: b.OverQps,
			RetryAfter: time.Duration(b.RetryAfterSeconds * float64(time.Second)),
			Latency:    time.Duration(b.LatencyMs) * time.Millisecond})
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("POST /_sim/expire-tokens", func(w http.ResponseWriter, r *http.Request) {
		s.ExpireTokens()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("POST /_sim/revoke-refresh-tokens", func(w http.ResponseWriter, r *http.Request) {
		s.RevokeRefreshTokens()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("PUT /_sim/rate-ceiling", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			PerSecond int `json:"perSecond"`
		}
		if decodeBody(w, r, &b) {
			s.SetRateCeiling(b.PerSecond)
			w.WriteHeader(http.StatusNoContent)
		}
	})
}

// manualBody is one console edit: op is addToGroup, removeFromGroup,
// setWindow, setSuspended, rename, deleteUser or createForeignUser.
type manualBody struct {
	Op           string     `json:"op"`
	UserID       int64      `json:"userId"`
	GroupID      int64      `json:"groupId"`
	CredentialID int64      `json:"credentialId"`
	From         *time.Time `json:"from"`
	To           *time.Time `json:"to"`
	Suspended    bool       `json:"suspended"`
	FirstName    string     `json:"firstName"`
	LastName     string     `json:"lastName"`
	ExternalID   string     `json:"externalId"`
}

func (s *Server) controlManual(w http.ResponseWriter, r *http.Request) {
	var b manualBody
	if !decodeBody(w, r, &b) {
		return
	}
	var err error
	switch b.Op {
	case "addToGroup":
		err = s.ManualAddToGroup(b.UserID, b.GroupID)
	case "removeFromGroup":
		err = s.ManualRemoveFromGroup(b.UserID, b.GroupID)
	case "setWindow":
		err = s.ManualSetWindow(b.UserID, b.CredentialID, b.From, b.To)
	case "setSuspended":
		err = s.ManualSetSuspended(b.UserID, b.Suspended)
	case "rename":
		err = s.ManualRename(b.UserID, b.FirstName, b.LastName)
	case "deleteUser":
		err = s.ManualDeleteUser(b.UserID)
	case "createForeignUser":
		var u UserState
		if u, err = s.CreateForeignUser(b.FirstName, b.LastName, b.ExternalID); err == nil {
			writeJSON(w, http.StatusOK, u)
			return
		}
	default:
		err = fmt.Errorf("unknown op %q", b.Op)
	}
	if err != nil {
		writeErr(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) registerRefereeControl(m *http.ServeMux) {
	m.HandleFunc("GET /_sim/can-open", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ap, err1 := strconv.ParseInt(q.Get("accessPointId"), 10, 64)
		t, err2 := parseTime(q.Get("t"))
		if err1 != nil || err2 != nil {
			writeErr(w, http.StatusBadRequest, "need externalId, accessPointId and t (RFC 3339)")
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"canOpen": s.CanOpen(q.Get("externalId"), ap, t)})
	})
	m.HandleFunc("GET /_sim/referee", func(w http.ResponseWriter, r *http.Request) {
		from, err1 := parseTime(r.URL.Query().Get("from"))
		to, err2 := parseTime(r.URL.Query().Get("to"))
		if err1 != nil || err2 != nil {
			writeErr(w, http.StatusBadRequest, "need from and to (RFC 3339)")
			return
		}
		writeJSON(w, http.StatusOK, s.PopulationAccess(from, to))
	})
	m.HandleFunc("POST /_sim/referee/compare", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			From     time.Time                       `json:"from"`
			To       time.Time                       `json:"to"`
			Expected map[string]map[int64][]Interval `json:"expected"`
		}
		if !decodeBody(w, r, &b) {
			return
		}
		if !b.From.Before(b.To) {
			writeErr(w, http.StatusBadRequest, "need from before to")
			return
		}
		writeJSON(w, http.StatusOK, CompareAccess(s.PopulationAccess(b.From, b.To), b.Expected))
	})
}
