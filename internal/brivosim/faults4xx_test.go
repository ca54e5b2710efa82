package brivosim

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
)

func TestRecordFaultsAnswer4xxForTheChosenCallOnly(t *testing.T) {
	sim := New(testOptions())
	var u struct{ ID int64 }
	mustCall(t, sim, "POST", "/users", map[string]any{"externalId": "entrata-1", "firstName": "A", "lastName": "B"}, &u)
	path := fmt.Sprintf("/users/%d", u.ID)

	for _, status := range []int{400, 404, 409, 412} {
		if err := sim.SetRecordFault(RecordFault{Method: "patch", Path: "/users/{id}", Status: status, Next: 1}); err != nil {
			t.Fatal(err)
		}
		code, body := call(t, sim, "PATCH", path, map[string]any{"lastName": "C"})
		var e apiError
		if code != status || json.Unmarshal([]byte(body), &e) != nil || e.Code != status || e.Message == "" {
			t.Fatalf("PATCH with a %d fault = %d %s", status, code, body)
		}
		if got, _ := sim.UserByExternalID("entrata-1"); got.LastName != "B" {
			t.Fatalf("a faulted PATCH changed the user: %+v", got)
		}
	}
	// Two failures, then the call goes through; other verbs and paths never fail.
	if err := sim.SetRecordFault(RecordFault{Method: "PATCH", Path: "/users/*", Status: 400, Next: 2}); err != nil {
		t.Fatal(err)
	}
	if code, _ := call(t, sim, "GET", path, nil); code != 200 {
		t.Fatalf("GET hit a PATCH fault: %d", code)
	}
	if code, _ := call(t, sim, "GET", path+"/groups", nil); code == 400 {
		t.Fatalf("a longer path hit the fault")
	}
	for i, want := range []int{400, 400, 200} {
		if code, body := call(t, sim, "PATCH", path, map[string]any{"lastName": "C"}); code != want {
			t.Fatalf("PATCH %d = %d %s, want %d", i, code, body, want)
		}
	}
	if sim.RecordFaultsLeft() != 0 {
		t.Fatalf("%d failures left", sim.RecordFaultsLeft())
	}
	if err := sim.SetRecordFault(RecordFault{Path: "/users/*", Status: 500, Next: 1}); err == nil {
		t.Fatal("a 500 record fault was accepted: record faults are 4xx")
	}
}

func TestRecordFaultsControlAPI(t *testing.T) {
	sim := New(testOptions())
	srv := httptest.NewServer(sim)
	defer srv.Close()
	var u struct{ ID int64 }
	mustCall(t, sim, "POST", "/users", map[string]any{"externalId": "entrata-1", "firstName": "A", "lastName": "B"}, &u)

	if code := doJSON(t, "POST", srv.URL+"/_sim/record-faults",
		map[string]any{"method": "GET", "path": "/users/*", "status": 404, "next": 3}, nil); code != 204 {
		t.Fatalf("set: %d", code)
	}
	if code, _ := call(t, sim, "GET", fmt.Sprintf("/users/%d", u.ID), nil); code != 404 {
		t.Fatalf("GET with a 404 fault = %d", code)
	}
	var left map[string]int
	doJSON(t, "GET", srv.URL+"/_sim/record-faults", nil, &left)
	if left["left"] != 2 {
		t.Fatalf("left = %v, want 2", left)
	}
	if code := doJSON(t, "DELETE", srv.URL+"/_sim/record-faults", nil, nil); code != 204 || sim.RecordFaultsLeft() != 0 {
		t.Fatalf("clear: %d, %d left", code, sim.RecordFaultsLeft())
	}
	if code, _ := call(t, sim, "GET", fmt.Sprintf("/users/%d", u.ID), nil); code != 200 {
		t.Fatalf("GET after clear = %d", code)
	}
	if code := doJSON(t, "POST", srv.URL+"/_sim/record-faults",
		map[string]any{"path": "/users/*", "status": 503, "next": 1}, nil); code != 400 {
		t.Fatalf("a 503 record fault: %d, want 400", code)
	}
}
