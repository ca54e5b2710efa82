package entrata

import (
	"encoding/json"
	"strings"
	"testing"
)

// goodLease is a valid r2 lease; tests break one field at a time.
const goodLease = `{"id":"500","leaseStatusTypeId":"4","propertyId":"1","unitId":"9","moveInDate":"01/02/2025",
 "customers":{"customer":[{"id":1,"customerType":"Primary","leaseCustomerStatus":"Current","firstName":"Ann","lastName":"Lee","emailAddress":"ann@example.com"},
 {"id":2,"customerType":"Occupant","leaseCustomerStatus":"Current","firstName":"Bo","lastName":"Lee"}]}}`

func mutate(t *testing.T, f func(m map[string]any)) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(goodLease), &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, _ := json.Marshal(m)
	return b
}

func customersOf(m map[string]any) []any { return m["customers"].(map[string]any)["customer"].([]any) }

func TestLeaseValidation(t *testing.T) {
	tests := []struct {
		name      string
		change    func(m map[string]any)
		kept      bool   // the lease survives
		customers int    // customers left when kept
		kind, id  string // the problem expected
		field     string
	}{
		{"valid", func(map[string]any) {}, true, 2, "", "", ""},
		{"missing id", func(m map[string]any) { delete(m, "id") }, false, 0, "lease", "#0", "id"},
		{"missing status", func(m map[string]any) { delete(m, "leaseStatusTypeId") }, false, 0, "lease", "500", "leaseStatusTypeId"},
		{"unknown status", func(m map[string]any) { m["leaseStatusTypeId"] = "9" }, false, 0, "lease", "500", "leaseStatusTypeId"},
		{"status not a number", func(m map[string]any) { m["leaseStatusTypeId"] = "Current" }, false, 0, "lease", "500", "leaseStatusTypeId"},
		{"missing property", func(m map[string]any) { delete(m, "propertyId") }, false, 0, "lease", "500", "propertyId"},
		{"missing unit", func(m map[string]any) { m["unitId"] = "" }, false, 0, "lease", "500", "unitId"},
		{"bad move-in", func(m map[string]any) { m["moveInDate"] = "2025/31/12" }, false, 0, "lease", "500", "moveInDate"},
		{"impossible move-out", func(m map[string]any) { m["moveOutDate"] = "02/30/2025" }, false, 0, "lease", "500", "moveOutDate"},
		{"move-out before move-in", func(m map[string]any) { m["moveOutDate"] = "01/01/2025" }, false, 0, "lease", "500", "moveOutDate"},
		{"no customers", func(m map[string]any) { m["customers"] = map[string]any{"customer": []any{}} }, false, 0, "lease", "500", "customers"},
		{"customers absent", func(m map[string]any) { delete(m, "customers") }, false, 0, "lease", "500", "customers"},
		{"customer without id dropped alone", func(m map[string]any) { delete(customersOf(m)[1].(map[string]any), "id") }, true, 1, "customer", "500/#1", "id"},
		{"only customer without id", func(m map[string]any) {
			m["customers"] = map[string]any{"customer": map[string]any{"customerType": "Primary"}}
		}, false, 0, "customer", "500/#0", "id"},
		// A fault in one customer's record marks that customer alone
		// (Customer.Invalid); the lease and its other customers stay valid.
		{"duplicate customer id", func(m map[string]any) { customersOf(m)[1].(map[string]any)["id"] = "1" }, true, 1, "customer", "1", "customers.id"},
		{"customer bad date", func(m map[string]any) { customersOf(m)[0].(map[string]any)["moveInDate"] = "x" }, true, 2, "customer", "1", "customers[1].moveInDate"},
		{"customer move-out before move-in", func(m map[string]any) {
			customersOf(m)[0].(map[string]any)["moveInDate"] = "03/01/2025"
			customersOf(m)[0].(map[string]any)["moveOutDate"] = "02/01/2025"
		}, true, 2, "customer", "1", "customers[1].moveOutDate"},
		{"customer name is an object", func(m map[string]any) { customersOf(m)[0].(map[string]any)["firstName"] = map[string]any{} }, true, 2, "customer", "1", "customers[1].firstName"},
		// The policy decides per customer whether a move-in is needed.
		{"no move-in anywhere", func(m map[string]any) { delete(m, "moveInDate") }, true, 2, "", "", ""},
		{"move-in only on a customer", func(m map[string]any) {
			delete(m, "moveInDate")
			customersOf(m)[0].(map[string]any)["moveInDate"] = "01/02/2025"
		}, true, 2, "", "", ""},
		{"bad flag", func(m map[string]any) { m["isMonthToMonth"] = "maybe" }, false, 0, "lease", "500", "isMonthToMonth"},
		{"interval ends before it starts", func(m map[string]any) {
			m["leaseIntervals"] = map[string]any{"leaseInterval": map[string]any{"id": 1, "startDate": "02/01/2025", "endDate": "01/01/2025"}}
		}, false, 0, "lease", "500", "leaseIntervals[0].endDate"},
		{"not an object", func(m map[string]any) { clear(m); m["x"] = nil }, false, 0, "lease", "#0", "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := mutate(t, tt.change)
			l, problems, ok := decodeLease(raw, 0)
			if ok != tt.kept {
				t.Fatalf("kept = %v, want %v (problems %v)", ok, tt.kept, problems)
			}
			if ok && len(l.Customers) != tt.customers {
				t.Errorf("customers = %d, want %d", len(l.Customers), tt.customers)
			}
			if !ok && l.Invalid == "" {
				t.Errorf("a lease with a fault must come back with Invalid set")
			}
			for _, cu := range l.Customers {
				// Only the customer a customer problem names is invalid.
				if want := tt.kind == "customer" && cu.ID == tt.id; ok && (cu.Invalid != "") != want {
					t.Errorf("customer %s Invalid = %q, want invalid %v", cu.ID, cu.Invalid, want)
				}
			}
			if tt.field == "" {
				if len(problems) != 0 {
					t.Errorf("unexpected problems %v", problems)
				}
				return
			}
			found := false
			for _, p := range problems {
				found = found || (p.Kind == tt.kind && p.ID == tt.id && p.Field == tt.field)
				for _, pii := range []string{"Ann", "Lee", "ann@example.com", "Bo"} {
					if strings.Contains(p.Error(), pii) {
						t.Errorf("problem %q carries personal data %q", p.Error(), pii)
					}
				}
			}
			if !found {
				t.Errorf("no problem {%s %s %s} in %+v", tt.kind, tt.id, tt.field, problems)
			}
		})
	}
}

func TestLenientScalars(t *testing.T) {
	for _, in := range []string{`1`, `"1"`, `"t"`, `true`, `"true"`, `"yes"`} {
		var f flexBool
		if err := f.UnmarshalJSON([]byte(in)); err != nil || !f {
			t.Errorf("flag %s = %v, %v", in, f, err)
		}
	}
	for _, in := range []string{`0`, `"0"`, `"f"`, `false`, `null`, `""`} {
		var f flexBool
		if err := f.UnmarshalJSON([]byte(in)); err != nil || f {
			t.Errorf("flag %s = %v, %v", in, f, err)
		}
	}
	for in, want := range map[string]string{`"13325677"`: "13325677", `17831017`: "17831017", `null`: "", `" 7 "`: "7"} {
		var s flexString
		if err := s.UnmarshalJSON([]byte(in)); err != nil || string(s) != want {
			t.Errorf("string %s = %q, %v", in, s, err)
		}
	}
	for _, in := range []string{`null`, `""`, `[]`, `{}`, `{"lease":[]}`} {
		if items, err := listItems(json.RawMessage(in), "lease"); err != nil || len(items) != 0 {
			t.Errorf("empty wrapper %s = %d items, %v", in, len(items), err)
		}
	}
}
