package brivosim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func doJSON(t *testing.T, method, u string, body, v any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("%s %s: decode: %v", method, u, err)
		}
	}
	return resp.StatusCode
}

func TestControlAPI(t *testing.T) {
	clock := &fakeClock{t: t0}
	opts := testOptions()
	opts.Now = clock.Now
	sim := New(opts)
	srv := httptest.NewServer(sim)
	defer srv.Close()
	base := srv.URL + "/_sim"

	var site Site
	doJSON(t, "POST", base+"/sites", map[string]string{"name": "S"}, &site)
	var door AccessPoint
	doJSON(t, "POST", base+"/access-points", map[string]any{"siteId": site.ID, "name": "Door"}, &door)
	var group Group
	doJSON(t, "POST", base+"/groups", map[string]any{"name": "G", "accessPointIds": []int64{door.ID}}, &group)
	if code := doJSON(t, "POST", base+"/groups", map[string]any{"name": "Bad", "accessPointIds": []int64{1}}, nil); code != 400 {
		t.Fatalf("unknown access point seeded: %d", code)
	}
	var card struct{ ID int64 }
	doJSON(t, "POST", base+"/cards", map[string]string{"referenceId": "c"}, &card)

	var u UserState
	if code := doJSON(t, "POST", base+"/manual", map[string]any{"op": "createForeignUser", "firstName": "F", "lastName": "L", "externalId": "entrata-7"}, &u); code != 200 {
		t.Fatalf("createForeignUser: %d", code)
	}
	mustCall(t, sim, "PUT", fmt.Sprintf("/users/%d/credentials/%d", u.ID, card.ID), nil, nil)
	clock.Set(h(1))
	if code := doJSON(t, "POST", base+"/manual", map[string]any{"op": "addToGroup", "userId": u.ID, "groupId": group.ID}, nil); code != 204 {
		t.Fatalf("addToGroup: %d", code)
	}
	clock.Set(h(3))
	doJSON(t, "POST", base+"/manual", map[string]any{"op": "setSuspended", "userId": u.ID, "suspended": true}, nil)
	if code := doJSON(t, "POST", base+"/manual", map[string]any{"op": "bogus"}, nil); code != 400 {
		t.Fatalf("bogus op: %d", code)
	}

	var users []UserState
	doJSON(t, "GET", base+"/users", nil, &users)
	if len(users) != 1 || !users[0].Suspended || len(users[0].Groups) != 1 || len(users[0].Credentials) != 1 {
		t.Fatalf("dump = %+v", users)
	}
	var can map[string]bool
	doJSON(t, "GET", base+"/can-open?"+url.Values{"externalId": {"entrata-7"}, "accessPointId": {fmt.Sprint(door.ID)},
		"t": {h(2).Format(time.RFC3339)}}.Encode(), nil, &can)
	if !can["canOpen"] {
		t.Fatal("can-open at h2 = false")
	}
	var pop map[string]map[int64][]Interval
	q := url.Values{"from": {h(0).Format(time.RFC3339)}, "to": {h(10).Format(time.RFC3339)}}.Encode()
	doJSON(t, "GET", base+"/referee?"+q, nil, &pop)
	if got := pop["entrata-7"][door.ID]; len(got) != 1 || !got[0].From.Equal(h(1)) || !got[0].To.Equal(h(3)) {
		t.Fatalf("referee = %+v", pop)
	}
	var rep Report
	doJSON(t, "POST", base+"/referee/compare", map[string]any{"from": h(0), "to": h(10),
		"expected": map[string]map[int64][]Interval{"entrata-7": {door.ID: {{h(0), h(2)}}}}}, &rep)
	if rep.OverGrantSeconds != 3600 || rep.UnderGrantSeconds != 3600 {
		t.Fatalf("compare = %+v", rep)
	}
	var timeline []Event
	doJSON(t, "GET", base+"/timeline", nil, &timeline)
	consoleEdits := 0
	for _, ev := range timeline {
		if ev.Console {
			consoleEdits++
		}
	}
	if consoleEdits != 3 {
		t.Fatalf("timeline console edits = %d: %+v", consoleEdits, timeline)
	}

	doJSON(t, "POST", base+"/faults", map[string]any{"path": "/v1/api/sites", "next": 1, "status": 429, "retryAfterSeconds": 4}, nil)
	if code, _ := call(t, sim, "GET", "/sites", nil); code != 429 {
		t.Fatalf("fault via control API: %d", code)
	}
	var calls map[string]int
	doJSON(t, "GET", base+"/calls", nil, &calls)
	if calls["GET /sites"] != 1 || calls["PUT /users/{id}/credentials/{cred}"] != 1 {
		t.Fatalf("calls = %v", calls)
	}
	doJSON(t, "DELETE", base+"/calls", nil, nil)
	if len(sim.Calls()) != 0 {
		t.Fatal("calls not reset")
	}
}

func TestListenAndServeStandalone(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ListenAndServe(ctx, addr, testOptions(), slog.New(slog.DiscardHandler)) }()

	// The README's curl: get a token, list users.
	var tokenBody map[string]any
	for i := 0; ; i++ {
		req, _ := http.NewRequest("POST", "http://"+addr+"/oauth/token",
			strings.NewReader("grant_type=password&username=admin&password=pw"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("api-key", "k")
		req.SetBasicAuth("cid", "csecret")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&tokenBody)
			resp.Body.Close()
			break
		}
		if i > 1000 { // 10 s: a loaded machine may be slow to schedule the listener
			t.Fatalf("server did not start: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/v1/api/groups?pageSize=100", nil)
	req.Header.Set("api-key", "k")
	req.Header.Set("Authorization", "bearer "+fmt.Sprint(tokenBody["access_token"]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var groups struct{ Count int }
	json.NewDecoder(resp.Body).Decode(&groups)
	resp.Body.Close()
	if resp.StatusCode != 200 || groups.Count != 2+6 {
		t.Fatalf("demo groups: %d count=%d", resp.StatusCode, groups.Count)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe: %v", err)
	}
}
