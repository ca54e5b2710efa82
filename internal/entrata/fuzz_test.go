package entrata

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// FuzzDecodeLeases feeds arbitrary bodies to the getLeases decoder: it must
// not panic, every problem must name its record and field, and every lease
// it keeps must satisfy the validation rules. Run it longer with
//
//	go test ./internal/entrata -run '^$' -fuzz FuzzDecodeLeases -fuzztime 5m
func FuzzDecodeLeases(f *testing.F) {
	// Seeds are single leases from the reference example, compacted: whole
	// pages make the fuzzer spend its time minimizing.
	for _, name := range []string{"entrata-getLeases-r2.json", "getLeases-r2-page2.json"} {
		result, _ := unwrapResult(readTestdataF(f, name))
		items, err := listItems(mustRaw(f, result, "leases"), "lease")
		if err != nil {
			f.Fatal(err)
		}
		for _, item := range items {
			var buf bytes.Buffer
			if err := json.Compact(&buf, item); err != nil {
				f.Fatal(err)
			}
			f.Add([]byte(`{"leases":{"lease":` + buf.String() + `}}`))
		}
	}
	f.Add([]byte(`{"leases":{"lease":` + goodLease + `}}`))
	f.Add([]byte(`{"leases":{"lease":[{"id":1},{"customers":{"customer":{}}},null,"x",7]}}`))
	f.Add([]byte(`{"leases":""}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		result := body
		if env, ok := unwrapResult(body); ok {
			result = env
		}
		leases, problems, n, err := decodeLeasesResult(result, 0)
		if err != nil {
			if len(leases) != 0 || len(problems) != 0 {
				t.Fatalf("page error %v came with records", err)
			}
			return
		}
		if len(leases) > n {
			t.Fatalf("%d leases from %d records", len(leases), n)
		}
		for _, p := range problems {
			if p.Kind == "" || p.ID == "" || p.Field == "" || p.Reason == "" {
				t.Fatalf("problem does not name its record: %+v", p)
			}
			if p.Kind == "customer" && p.LeaseID == "" {
				t.Fatalf("customer problem without its lease: %+v", p)
			}
		}
		for _, l := range leases {
			if l.Invalid != "" {
				// Kept only to name the people on it, who are left as is.
				if l.ID == "" || len(l.Customers)+l.Unidentified == 0 {
					t.Fatalf("invalid lease kept that names nobody: %+v", l)
				}
				continue
			}
			if l.ID == "" || l.PropertyID == "" || l.UnitID == "" || len(l.Customers) == 0 ||
				l.Status < LeaseApplicant || l.Status > LeasePast {
				t.Fatalf("invalid lease kept: %+v", l)
			}
			if !l.MoveOutDate.IsZero() && l.MoveOutDate.Before(l.MoveInDate) {
				t.Fatalf("lease %s moves out before it moves in", l.ID)
			}
			seen := map[string]bool{}
			for _, c := range l.Customers {
				if c.ID == "" || seen[c.ID] {
					t.Fatalf("lease %s kept a customer without a unique id", l.ID)
				}
				seen[c.ID] = true
			}
		}
	})
}

func readTestdataF(f *testing.F, name string) []byte {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func mustRaw(f *testing.F, result []byte, field string) json.RawMessage {
	r, err := parseRecord(result)
	if err != nil {
		f.Fatal(err)
	}
	return r.raw(field)
}

// unwrapResult returns response.result when body is a whole envelope.
func unwrapResult(body []byte) ([]byte, bool) {
	var env envelope
	if json.Unmarshal(body, &env) != nil || len(env.Response.Result) == 0 {
		return nil, false
	}
	return env.Response.Result, true
}
