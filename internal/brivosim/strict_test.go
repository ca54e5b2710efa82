package brivosim

import (
	"fmt"
	"strings"
	"testing"
)

// The documented create body has no customFields: the strict simulator drops
// them; the lenient switch keeps them, as the first simulator did.
func TestCreateBodyCustomFields(t *testing.T) {
	for _, lenient := range []bool{false, true} {
		t.Run(fmt.Sprintf("lenient=%t", lenient), func(t *testing.T) {
			opts := testOptions()
			opts.LenientCreateCustomFields = lenient
			sim := New(opts)
			field := sim.newTestField(t, "Entrata Property")
			mustCall(t, sim, "POST", "/users", map[string]any{"externalId": "entrata-1", "firstName": "A", "lastName": "B",
				"customFields": []map[string]any{{"id": field, "value": "10"}}}, nil)
			_, body := call(t, sim, "GET", fmt.Sprintf("/users?filter=cf_%d__exact:10", field), nil)
			want := `"count":0`
			if lenient {
				want = `"count":1`
			}
			if !strings.Contains(body, want) {
				t.Fatalf("exact filter after create = %s; want %s", body, want)
			}
		})
	}
}

// A re-assignment keeps a bound the body leaves out (the strictest reading of
// an undocumented case) and clears one sent as null.
func TestAssignOmittedBoundKeepsExplicitNullClears(t *testing.T) {
	sim := New(testOptions())
	var u struct{ ID int64 }
	mustCall(t, sim, "POST", "/users", map[string]any{"externalId": "entrata-1", "firstName": "A", "lastName": "B"}, &u)
	var c struct{ ID int64 }
	mustCall(t, sim, "POST", "/credentials", map[string]any{"referenceId": "1234", "credentialFormat": map[string]any{"id": 100}}, &c)
	path := fmt.Sprintf("/users/%d/credentials/%d", u.ID, c.ID)
	if code, body := call(t, sim, "PUT", path, map[string]any{"effectiveFrom": "2026-06-01T16:00:00Z", "effectiveTo": "2026-09-01T22:00:00Z"}); code != 204 || body != "" {
		t.Fatalf("assign = %d %q; want 204 with no body", code, body)
	}
	creds := func() string {
		_, body := call(t, sim, "GET", fmt.Sprintf("/users/%d/credentials", u.ID), nil)
		return body
	}
	mustCall(t, sim, "PUT", path, map[string]any{"effectiveFrom": "2026-06-02T16:00:00Z"}, nil)
	if b := creds(); !strings.Contains(b, `"effectiveTo":"2026-09-01T22:00:00Z"`) || !strings.Contains(b, `"effectiveFrom":"2026-06-02T16:00:00Z"`) {
		t.Fatalf("omitted effectiveTo was not kept: %s", b)
	}
	mustCall(t, sim, "PUT", path, map[string]any{"effectiveFrom": "2026-06-02T16:00:00Z", "effectiveTo": nil}, nil)
	if b := creds(); strings.Contains(b, `"effectiveTo"`) {
		t.Fatalf("explicit null did not clear effectiveTo: %s", b)
	}
}
