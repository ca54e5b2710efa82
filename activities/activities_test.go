package activities

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/entratasim"
	"github.com/entrata-brivo/entrata-brivo/internal/sandbox"
)

// world is one property's sandbox served over real HTTP, and a way to make
// activities (a fresh set is a restarted worker) against it.
type world struct {
	t        *testing.T
	sb       *sandbox.Sandbox
	entrata  string
	brivo    string
	mapping  *access.Mapping
	brivoKey string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldWithDemo(t, nil)
}

// newWorldWithDemo adds the sandbox's demo residents, moving in and out
// after the given delays.
func newWorldWithDemo(t *testing.T, demo *sandbox.Demo) *world {
	t.Helper()
	return newWorldWith(t, sandbox.Options{Seed: 11, Properties: 1, Units: 12, Now: time.Now(), Demo: demo})
}

// newWorldWith builds the world from explicit sandbox options.
func newWorldWith(t *testing.T, o sandbox.Options) *world {
	t.Helper()
	sb, err := sandbox.New(o)
	if err != nil {
		t.Fatal(err)
	}
	es, bs := httptest.NewServer(sb.Entrata), httptest.NewServer(sb.Brivo)
	t.Cleanup(es.Close)
	t.Cleanup(bs.Close)
	m, err := access.ParseMapping(sb.MappingYAML(), access.Defaults{})
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, sb: sb, entrata: es.URL, brivo: bs.URL, mapping: m, brivoKey: sandbox.BrivoAPIKey}
}

// activities returns a fresh Activities (as a newly started worker has)
// registered in a test activity environment.
// run is one worker's activities in a test activity environment.
type run struct {
	a   *Activities
	env *testsuite.TestActivityEnvironment
}

func (w *world) activities(opts ...brivo.Option) run {
	w.t.Helper()
	env := w.sb.Env(w.entrata, w.brivo, "")
	ec, err := entrata.NewClient(entrata.WithBaseURL(env["ENTRATA_BASE_URL"]), entrata.WithAPIKey(env["ENTRATA_API_KEY"]))
	if err != nil {
		w.t.Fatal(err)
	}
	bc, err := brivo.NewClient(append([]brivo.Option{brivo.WithBaseURL(env["BRIVO_API_URL"]), brivo.WithAuthURL(env["BRIVO_AUTH_URL"]),
		brivo.WithRateLimit(1000), brivo.WithCredentials(brivo.Credentials{
			APIKey: w.brivoKey, ClientID: sandbox.BrivoClientID, ClientSecret: sandbox.BrivoClientSecret,
			Username: sandbox.BrivoUsername, Password: sandbox.BrivoPassword,
		})}, opts...)...)
	if err != nil {
		w.t.Fatal(err)
	}
	a := New(Deps{Entrata: ec, Brivo: bc, Mapping: w.mapping, Config: Config{
		TaskQueue: "tq", PollInterval: time.Minute, AuditInterval: time.Hour, InviteMobilePass: true,
	}})
	var suite testsuite.WorkflowTestSuite
	tenv := suite.NewTestActivityEnvironment()
	tenv.RegisterActivity(a)
	return run{a: a, env: tenv}
}

func fetch(t *testing.T, r run, known string) PlanSummary {
	t.Helper()
	v, err := r.env.ExecuteActivity(r.a.FetchPlan, FetchPlanInput{PropertyID: "100", KnownFingerprint: known})
	if err != nil {
		t.Fatalf("FetchPlan: %v", err)
	}
	var s PlanSummary
	if err := v.Get(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func apply(t *testing.T, r run, in ApplyInput) ApplyResult {
	t.Helper()
	in.PropertyID = "100"
	if in.At.IsZero() {
		in.At = time.Now()
	}
	v, err := r.env.ExecuteActivity(r.a.ApplyPlan, in)
	if err != nil {
		t.Fatalf("ApplyPlan: %v", err)
	}
	var res ApplyResult
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func (w *world) refereeClean() {
	w.t.Helper()
	now := time.Now()
	want, err := w.sb.Expected(now, now.Add(time.Second))
	if err != nil {
		w.t.Fatal(err)
	}
	r := brivosim.CompareAccess(w.sb.Brivo.PopulationAccess(now, now.Add(time.Second)), want)
	if r.OverGrant != 0 || r.UnderGrant != 0 {
		w.t.Fatalf("referee: over %s under %s", r.OverGrant, r.UnderGrant)
	}
}

func perResidentReads(sim *brivosim.Server) int {
	n := 0
	for k, v := range sim.Calls() {
		if strings.HasPrefix(k, "GET ") && strings.Contains(k, "credentials") {
			n += v
		}
	}
	return n
}

func TestApplyConvergesTrustsItsMemoryAndSurvivesARestart(t *testing.T) {
	w := newWorld(t)
	env := w.activities()
	sum := fetch(t, env, "")
	if !sum.Changed || sum.Entitled == 0 || sum.WorkerQueue == "" {
		t.Fatalf("first fetch: %+v", sum)
	}
	first := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})
	if !first.Audited || first.Grants == 0 || first.AppliedToken == "" {
		t.Fatalf("first apply: %+v", first)
	}
	w.refereeClean()

	// Unchanged Entrata: the fetch says so and carries nothing else.
	if again := fetch(t, env, sum.Fingerprint); again.Changed || again.Entitled != 0 || len(again.Next) != 0 {
		t.Fatalf("unchanged fetch carries data: %+v", again)
	}
	reads := perResidentReads(w.sb.Brivo)
	second := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: first.AppliedToken})
	if second.Audited || len(second.Changes) != 0 || perResidentReads(w.sb.Brivo) != reads {
		t.Fatalf("routine apply read Brivo or changed something: %+v", second)
	}

	// A restarted worker does not hold the applied state: it reads Brivo,
	// finds everything in place and creates nothing twice.
	users := len(w.sb.Brivo.Users())
	env2 := w.activities()
	sum2 := fetch(t, env2, "")
	third := apply(t, env2, ApplyInput{Fingerprint: sum2.Fingerprint, AppliedToken: first.AppliedToken})
	if !third.Audited || len(third.Changes) != 0 || len(w.sb.Brivo.Users()) != users {
		t.Fatalf("after restart: %+v, users %d -> %d", third, users, len(w.sb.Brivo.Users()))
	}
}

func TestAuditPutsBackManualEdits(t *testing.T) {
	w := newWorld(t)
	env := w.activities()
	sum := fetch(t, env, "")
	first := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})
	var victim brivosim.UserState
	for _, u := range w.sb.Brivo.Users() {
		if access.Owned(u.ExternalID) && !u.Suspended && len(u.Credentials) > 0 {
			victim = u
			break
		}
	}
	if victim.ID == 0 {
		t.Fatal("no active resident")
	}
	far := time.Now().AddDate(5, 0, 0)
	if err := w.sb.Brivo.ManualSetWindow(victim.ID, victim.Credentials[0].ID, nil, &far); err != nil {
		t.Fatal(err)
	}
	if err := w.sb.Brivo.ManualSetSuspended(victim.ID, true); err != nil {
		t.Fatal(err)
	}
	res := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: first.AppliedToken, Audit: true})
	if !res.Audited || res.Changes["unsuspend"] != 1 || res.Changes["set-window"] < 1 {
		t.Fatalf("audit changes: %+v", res.Changes)
	}
	w.refereeClean()
}

func TestEmptyEntrataAnswerIsHeldUntilApproved(t *testing.T) {
	w := newWorld(t)
	env := w.activities()
	sum := fetch(t, env, "")
	first := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})
	w.sb.Entrata.SetEmpty("100", true)
	empty := fetch(t, env, sum.Fingerprint)
	suspended := map[string]bool{}
	for _, u := range w.sb.Brivo.Users() {
		suspended[u.ExternalID] = u.Suspended
	}
	held := apply(t, env, ApplyInput{Fingerprint: empty.Fingerprint, AppliedToken: first.AppliedToken})
	if held.Held < 5 || held.Revocations != 0 {
		t.Fatalf("empty answer: %+v", held)
	}
	for _, u := range w.sb.Brivo.Users() {
		if access.Owned(u.ExternalID) && u.Suspended && !suspended[u.ExternalID] {
			t.Fatalf("%s was suspended while the guard held", u.ExternalID)
		}
	}
	approved := apply(t, env, ApplyInput{Fingerprint: empty.Fingerprint, AppliedToken: held.AppliedToken, AllowUnscheduledRevocations: true})
	if approved.Revocations != held.Held || approved.Held != 0 {
		t.Fatalf("approved: %+v, held was %d", approved, held.Held)
	}
}

func TestApplyWithoutThePlanAsksForAFetch(t *testing.T) {
	w := newWorld(t)
	env := w.activities()
	_, err := env.env.ExecuteActivity(env.a.ApplyPlan, ApplyInput{PropertyID: "100", Fingerprint: "other", At: time.Now()})
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || ae.Type() != ErrTypePlanNotCached || !ae.NonRetryable() {
		t.Fatalf("err = %v, want non-retryable %s", err, ErrTypePlanNotCached)
	}
}

func TestAPIErrorsBecomeTemporalRetryDecisions(t *testing.T) {
	w := newWorld(t)
	w.brivoKey = "wrong-key"
	env := w.activities()
	_, err := env.env.ExecuteActivity(env.a.FetchPlan, FetchPlanInput{PropertyID: "100"})
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || !ae.NonRetryable() || !strings.Contains(err.Error(), "BRIVO_API_KEY") {
		t.Fatalf("bad Brivo key: %v, want a non-retryable error naming BRIVO_API_KEY", err)
	}

	w.brivoKey = sandbox.BrivoAPIKey
	env = w.activities()
	w.sb.Entrata.SetFault("*", entratasim.Fault{ExhaustRateLimit: true})
	_, err = env.env.ExecuteActivity(env.a.FetchPlan, FetchPlanInput{PropertyID: "100"})
	if !errors.As(err, &ae) || ae.Type() != ErrTypeRateLimited || ae.NextRetryDelay() <= 0 {
		t.Fatalf("rate limited: %v, want %s with a next retry delay", err, ErrTypeRateLimited)
	}

	_, err = env.env.ExecuteActivity(env.a.FetchPlan, FetchPlanInput{PropertyID: "999"})
	if !errors.As(err, &ae) || !ae.NonRetryable() || !strings.Contains(err.Error(), "SYNC_MAPPING_FILE") {
		t.Fatalf("unmapped property: %v", err)
	}
}

func TestRoutineApplyAtAMoveOutRevokesThatResidentOnly(t *testing.T) {
	// The move-out is an hour away and the apply is asked for that instant
	// (ApplyPlan plans at max(At, now)): no wall-clock race with set-up.
	w := newWorldWithDemo(t, &sandbox.Demo{MoveInAfter: 30 * time.Minute, MoveOutAfter: time.Hour})
	sb := w.sb
	env := w.activities()
	sum := fetch(t, env, "")
	first := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})
	active := map[string]bool{}
	for _, u := range sb.Brivo.Users() {
		active[u.ExternalID] = !u.Suspended
	}
	out := sb.Demo.MoveOut
	if !active[out.ExternalID] {
		t.Fatalf("%s not active before the move-out", out.ExternalID)
	}
	res := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint, AppliedToken: first.AppliedToken, At: out.At})
	if res.Audited || res.Revocations != 1 || res.Problems != 0 {
		t.Fatalf("routine apply at the move-out: %+v", res)
	}
	for _, u := range sb.Brivo.Users() {
		switch {
		case u.ExternalID == out.ExternalID && (!u.Suspended || len(u.Groups) != 0):
			t.Errorf("moved-out resident still active: %+v", u)
		case u.ExternalID != out.ExternalID && active[u.ExternalID] && u.Suspended:
			t.Errorf("%s was suspended instead", u.ExternalID)
		}
	}
}

func TestDeletedInEntrataIsDeletedInBrivoOnlyThen(t *testing.T) {
	w := newWorld(t)
	env := w.activities()
	sum := fetch(t, env, "")
	first := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})

	// One lease deleted in Entrata: its residents (on no other lease) go.
	var victim entrata.Lease
	for _, l := range w.sb.Entrata.Portfolio().Properties[0].Leases {
		if l.Status == entrata.LeaseCurrent && l.ParentLeaseID == "" && len(l.Customers) > 0 {
			victim = l
			break
		}
	}
	var owned []string
	for _, c := range victim.Customers {
		if _, ok := w.sb.Brivo.UserByExternalID(access.ExternalID(c.ID)); ok {
			owned = append(owned, access.ExternalID(c.ID))
		}
	}
	if len(owned) == 0 {
		t.Fatal("the chosen lease has no Brivo users")
	}
	if err := w.sb.Entrata.DeleteLease("100", victim.ID); err != nil {
		t.Fatal(err)
	}
	sum2 := fetch(t, env, sum.Fingerprint)
	res := apply(t, env, ApplyInput{Fingerprint: sum2.Fingerprint, AppliedToken: first.AppliedToken})
	if res.Changes["delete-user"] != len(owned) {
		t.Fatalf("changes %v, want %d deletions", res.Changes, len(owned))
	}
	for _, ext := range owned {
		if _, ok := w.sb.Brivo.UserByExternalID(ext); ok {
			t.Errorf("%s still in Brivo after Entrata deleted the lease", ext)
		}
	}
	users := len(w.sb.Brivo.Users())

	// An empty answer confirms nothing: nobody is deleted, whatever is approved.
	w.sb.Entrata.SetEmpty("100", true)
	sum3 := fetch(t, env, sum2.Fingerprint)
	apply(t, env, ApplyInput{Fingerprint: sum3.Fingerprint, AppliedToken: res.AppliedToken, AllowUnscheduledRevocations: true})
	if n := len(w.sb.Brivo.Users()); n != users {
		t.Fatalf("an empty Entrata answer deleted %d users", users-n)
	}
}

func TestTransitionsCarryNamesOnlyWhenHistoryIsEncrypted(t *testing.T) {
	w := newWorldWithDemo(t, &sandbox.Demo{MoveInAfter: time.Hour, MoveOutAfter: 2 * time.Hour})
	sb := w.sb
	env := w.activities()
	plain := fetch(t, env, "")
	if len(plain.Next) == 0 || plain.Next[0].Who != sb.Demo.MoveIn.ExternalID {
		t.Fatalf("next transitions %+v, want the demo move-in first", plain.Next)
	}
	for _, tr := range plain.Next {
		if tr.Name != "" {
			t.Fatalf("a name in clear history: %+v", tr)
		}
	}
	env.a.Config.NamesInHistory = true
	named := fetch(t, env, "")
	if named.Next[0].Name != "Dana M." {
		t.Fatalf("with encryption the operator sees %q, want the reduced name", named.Next[0].Name)
	}
}

// A retry of the same change set resumes after what its heartbeats say is
// done: the changes before that point are not made again.
func TestApplyResumesFromHeartbeatDetails(t *testing.T) {
	w := newWorld(t)
	env := w.activities()
	sum := fetch(t, env, "")
	first := apply(t, env, ApplyInput{Fingerprint: sum.Fingerprint})

	moveIn := entrata.DateOf(time.Now().AddDate(0, 0, 10))
	for i := range 6 {
		cid := fmt.Sprint(7700000 + i)
		if err := w.sb.Entrata.UpsertLease("100", entrata.Lease{
			ID: fmt.Sprint(770000 + i), PropertyID: "100", Status: entrata.LeaseFuture,
			UnitID: w.sb.Entrata.Portfolio().Properties[0].Units[i].ID, MoveInDate: moveIn,
			Customers: []entrata.Customer{{ID: cid, Type: "Primary", Status: "Future", FirstName: "N", LastName: "R",
				Email: fmt.Sprintf("n%d@example.com", i), MoveInDate: moveIn}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	sum2 := fetch(t, env, sum.Fingerprint)

	// The change set ApplyPlan will compute, and a heartbeat saying its
	// first changes (the first new resident's) are done.
	at := time.Now().Add(time.Minute)
	mem := env.a.memory("100")
	cs := access.Diff(access.DesiredAt(mem.plan.result, at), mem.believed.users,
		access.DiffOptions{InviteMobilePass: true, ConfirmedGone: mem.plan.confirmedGone, PropertyID: "100", Now: at})
	firstUser := cs.Changes[0].ExternalID
	done := 0
	for done < len(cs.Changes) && cs.Changes[done].ExternalID == firstUser {
		done++
	}
	env.env.SetHeartbeatDetails(applyProgress{ChangeSet: hashOf(cs), Done: done})
	res := apply(t, env, ApplyInput{Fingerprint: sum2.Fingerprint, AppliedToken: first.AppliedToken, At: at})

	if _, ok := w.sb.Brivo.UserByExternalID(firstUser); ok {
		t.Fatalf("%s was created again although the heartbeat said it was done", firstUser)
	}
	if res.Grants != 5 {
		t.Fatalf("grants %d, want the 5 residents after the resume point", res.Grants)
	}
}
