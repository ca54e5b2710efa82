package entrata_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// corruptingTransport rewrites one lease of every getLeases answer on the
// wire, so the decoder is part of the pipeline under test.
type corruptingTransport struct {
	mu         sync.Mutex
	corruption *corruption
}

func (c *corruptingTransport) set(k *corruption) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corruption = k
}

func (c *corruptingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	c.mu.Lock()
	k := c.corruption
	c.mu.Unlock()
	if err != nil || k == nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // ids stay as written, not floats
	var doc map[string]any
	if dec.Decode(&doc) == nil {
		if leases, ok := dig(doc, "response", "result", "leases"); ok {
			for _, l := range wireItems(leases["lease"]) {
				if fmt.Sprint(l["id"]) == k.leaseID {
					k.apply(l)
					k.hits++
				}
			}
			body, _ = json.Marshal(doc)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return resp, nil
}

func dig(m map[string]any, path ...string) (map[string]any, bool) {
	for _, p := range path {
		next, ok := m[p].(map[string]any)
		if !ok {
			return nil, false
		}
		m = next
	}
	return m, true
}

// wireItems reads Entrata's one-or-many wrapper value as a list of records.
func wireItems(v any) []map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}
	case []any:
		var out []map[string]any
		for _, it := range x {
			if m, ok := it.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// corruption is one field of one record broken on the wire. customer is
// the customer it breaks, "" when it breaks the lease itself.
type corruption struct {
	name     string
	leaseID  string
	customer string
	index    int // the customer's position on the wire
	// alsoLease is a second lease whose records the corruption puts in
	// doubt (its id given to the broken lease).
	alsoLease string
	apply     func(lease map[string]any)
	hits      int // answers it was applied to
}

func (k *corruption) String() string {
	if k.customer != "" {
		return fmt.Sprintf("%s (lease %s, customer %s)", k.name, k.leaseID, k.customer)
	}
	return fmt.Sprintf("%s (lease %s)", k.name, k.leaseID)
}

func wireCustomers(l map[string]any) []any {
	w, _ := l["customers"].(map[string]any)
	var out []any
	for _, c := range wireItems(w["customer"]) {
		out = append(out, c)
	}
	return out
}

func setWireCustomers(l map[string]any, cs []any) {
	l["customers"] = map[string]any{"customer": cs}
}

// leaseCorruptions break the lease record itself.
var leaseCorruptions = []struct {
	name  string
	apply func(l map[string]any)
}{
	{"lease moveInDate unparseable", func(l map[string]any) { l["moveInDate"] = "13/45/2025" }},
	{"lease moveOutDate before moveInDate", func(l map[string]any) {
		l["moveInDate"], l["moveOutDate"] = "06/15/2025", "06/01/2025"
	}},
	{"lease status unknown", func(l map[string]any) { l["leaseStatusTypeId"] = "9" }},
	{"lease status missing", func(l map[string]any) { delete(l, "leaseStatusTypeId") }},
	{"lease id missing", func(l map[string]any) { delete(l, "id") }},
	{"lease unitId missing", func(l map[string]any) { delete(l, "unitId") }},
	{"lease unit unknown", func(l map[string]any) { l["unitId"] = "999999" }},
	{"lease of another property", func(l map[string]any) { l["propertyId"] = "999" }},
	{"lease customers not a list", func(l map[string]any) { l["customers"] = "none" }},
}

// customerCorruptions break one customer's record (at wire index i).
var customerCorruptions = []struct {
	name  string
	apply func(l map[string]any, i int)
}{
	{"customer moveOutDate before moveInDate", func(l map[string]any, i int) {
		c := wireCustomers(l)[i].(map[string]any)
		c["moveInDate"], c["moveOutDate"] = "06/15/2025", "06/01/2025"
	}},
	{"customer moveInDate unparseable", func(l map[string]any, i int) {
		wireCustomers(l)[i].(map[string]any)["moveInDate"] = "2025/31/12"
	}},
	{"customer status unknown", func(l map[string]any, i int) {
		wireCustomers(l)[i].(map[string]any)["leaseCustomerStatus"] = "Bogus"
	}},
	{"customer listed twice", func(l map[string]any, i int) {
		cs := wireCustomers(l)
		setWireCustomers(l, append(cs, cs[i]))
	}},
	{"customer id missing", func(l map[string]any, i int) {
		cs := wireCustomers(l)
		delete(cs[i].(map[string]any), "id")
		setWireCustomers(l, cs)
	}},
	{"customer record not an object", func(l map[string]any, i int) {
		cs := wireCustomers(l)
		cs[i] = "garbage"
		setWireCustomers(l, cs)
	}},
}

func resident(c entrata.Customer) bool {
	return !strings.EqualFold(c.Type, "guarantor") && !strings.EqualFold(c.Status, "cancelled")
}

// pickCorruption chooses one field of one random lease to break.
func pickCorruption(rng *rand.Rand, leases []entrata.Lease) *corruption {
	l := leases[rng.IntN(len(leases))]
	var residents []int
	for i, c := range l.Customers {
		if resident(c) {
			residents = append(residents, i)
		}
	}
	if len(residents) > 0 && rng.IntN(2) == 0 {
		i := residents[rng.IntN(len(residents))]
		cc := customerCorruptions[rng.IntN(len(customerCorruptions))]
		return &corruption{name: cc.name, leaseID: l.ID, customer: l.Customers[i].ID, index: i,
			apply: func(m map[string]any) { cc.apply(m, i) }}
	}
	if o := leases[rng.IntN(len(leases))]; o.ID != l.ID && rng.IntN(len(leaseCorruptions)+1) == 0 {
		return &corruption{name: "lease id of another lease", leaseID: l.ID, alsoLease: o.ID,
			apply: func(m map[string]any) { m["id"] = o.ID }}
	}
	lc := leaseCorruptions[rng.IntN(len(leaseCorruptions))]
	return &corruption{name: lc.name, leaseID: l.ID, apply: lc.apply}
}
