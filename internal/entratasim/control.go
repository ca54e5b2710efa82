package entratasim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// controlRequest is the body of the lease-lifecycle control calls; each
// call uses the fields it needs.
type controlRequest struct {
	PropertyID string           `json:"propertyId"`
	LeaseID    string           `json:"leaseId"`
	CustomerID string           `json:"customerId"`
	ToUnitID   string           `json:"toUnitId"`
	Date       entrata.Date     `json:"date"`  // move-out, transfer or move-in date
	Start      entrata.Date     `json:"start"` // renewal start
	End        entrata.Date     `json:"end"`   // renewal end
	Customer   entrata.Customer `json:"customer"`
	Empty      bool             `json:"empty"`
	Service    string           `json:"service"`
	Fault      Fault            `json:"fault"`
	Offset     string           `json:"offset"` // Go duration for /_sim/now
	Seed       int64            `json:"seed"`
	Properties int              `json:"properties"`
	Units      int              `json:"units"`
}

// serveControl serves the /_sim/ control API documented in doc.go.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/_sim/"), "/")
	switch {
	case r.Method == http.MethodGet && path == "portfolio":
		writeJSON(w, http.StatusOK, s.Portfolio())
		return
	case r.Method == http.MethodGet && path == "calls":
		writeJSON(w, http.StatusOK, s.Calls())
		return
	case r.Method == http.MethodDelete && path == "faults":
		s.ClearFaults()
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
		return
	case r.Method == http.MethodDelete && strings.HasPrefix(path, "leases/"):
		parts := strings.Split(path, "/")
		if len(parts) != 3 {
			controlError(w, http.StatusNotFound, "want DELETE /_sim/leases/{propertyId}/{leaseId}")
			return
		}
		reply(w, nil, s.DeleteLease(parts[1], parts[2]))
		return
	case r.Method != http.MethodPost:
		controlError(w, http.StatusNotFound, "unknown control call "+r.Method+" /_sim/"+path)
		return
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256<<20))
	if path == "portfolio" {
		var p Portfolio
		if err := dec.Decode(&p); err != nil {
			controlError(w, http.StatusBadRequest, "portfolio: "+err.Error())
			return
		}
		s.Load(p)
		reply(w, map[string]any{"properties": len(p.Properties)}, nil)
		return
	}
	if strings.HasPrefix(path, "leases/") {
		var l entrata.Lease
		if err := dec.Decode(&l); err != nil {
			controlError(w, http.StatusBadRequest, "lease: "+err.Error())
			return
		}
		stored, err := s.upsertLease(strings.TrimPrefix(path, "leases/"), l)
		reply(w, stored, err)
		return
	}
	var c controlRequest
	if err := dec.Decode(&c); err != nil {
		controlError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	s.controlAction(w, path, c)
}

func (s *Server) controlAction(w http.ResponseWriter, path string, c controlRequest) {
	switch path {
	case "generate":
		p := Generate(GenOptions{Seed: c.Seed, Properties: c.Properties, UnitsPerProperty: c.Units, Today: s.today()})
		s.Load(p)
		reply(w, map[string]any{"properties": len(p.Properties)}, nil)
	case "notice":
		reply(w, nil, s.GiveNotice(c.PropertyID, c.LeaseID, c.Date))
	case "withdraw-notice":
		reply(w, nil, s.WithdrawNotice(c.PropertyID, c.LeaseID))
	case "renew":
		reply(w, nil, s.Renew(c.PropertyID, c.LeaseID, c.Start, c.End))
	case "transfer":
		id, err := s.Transfer(c.PropertyID, c.LeaseID, c.ToUnitID, c.Date)
		reply(w, map[string]any{"leaseId": id}, err)
	case "cancel-customer":
		reply(w, nil, s.CancelCustomer(c.PropertyID, c.LeaseID, c.CustomerID))
	case "customers":
		id, err := s.AddCustomer(c.PropertyID, c.LeaseID, c.Customer)
		reply(w, map[string]any{"customerId": id}, err)
	case "move-in":
		reply(w, nil, s.MoveIn(c.PropertyID, c.LeaseID))
	case "move-out":
		reply(w, nil, s.MoveOut(c.PropertyID, c.LeaseID, c.Date))
	case "faults":
		if c.Service == "" {
			c.Service = "*"
		}
		s.SetFault(c.Service, c.Fault)
		reply(w, nil, nil)
	case "empty":
		s.SetEmpty(c.PropertyID, c.Empty)
		reply(w, nil, nil)
	case "now":
		d, err := time.ParseDuration(c.Offset)
		if err == nil {
			s.SetNowOffset(d)
		}
		reply(w, map[string]any{"now": s.now().Format(time.RFC3339)}, err)
	default:
		controlError(w, http.StatusNotFound, "unknown control call POST /_sim/"+path)
	}
}

func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		controlError(w, http.StatusConflict, err.Error())
		return
	}
	if v == nil {
		v = map[string]any{"ok": true}
	}
	writeJSON(w, http.StatusOK, v)
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": msg})
}
