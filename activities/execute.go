package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivo"
)

// inlineRetries is how often one Brivo call is retried inside the activity,
// honouring Retry-After, before the whole activity fails and Temporal's retry
// policy (resuming from the heartbeat) takes over.
const inlineRetries = 3

// maxInlineWait caps one in-activity wait for Retry-After.
const maxInlineWait = 10 * time.Second

// batch executes one change set. Every change is safe to repeat: users are
// found by externalId before being created, group changes and windows are
// idempotent, and a pending mobile-pass invitation counts as done.
type batch struct {
	a          *Activities
	propertyID string
	desired    map[string]access.DesiredUser
	ids        map[string]int64 // externalId -> Brivo user id
	done       []access.Change
	problems   []access.Problem
	invited    map[string]invitedPass // externalId -> the new mobile pass and its window
	noPasses   bool
	stale      bool            // a change found Brivo not as believed
	failed     map[string]bool // externalId -> one of its changes failed
	audit      bool            // the batch repairs what an audit read
	looked     map[string]bool // looked up by external id in this apply, not found
	resumed    bool            // the batch resumes from heartbeat progress
	created    map[string]bool
	// ineffective are writes Brivo did not keep (see propertyMemory); the
	// batch adds the ones it finds.
	ineffective map[string]bool
}

type invitedPass struct {
	credentialID int64
	window       access.Window
}

// errNotKept is a write Brivo accepted but did not keep: reading it back
// shows the old value. It is reported and not re-sent blindly.
var errNotKept = errors.New("brivo answered but did not keep the value written (read back different); not re-sent until the wanted value changes")

// changeKey identifies a write by what it writes, so that the same write is
// not re-sent after Brivo failed to keep it.
func changeKey(c access.Change) string {
	k := c.ExternalID + " " + string(c.Kind) + " " + c.Tag
	if c.Window != nil {
		k += " " + c.Window.String()
	}
	return k
}

// withoutIneffective drops the writes Brivo did not keep before, reporting
// each one instead.
func (b *batch) withoutIneffective(cs access.ChangeSet) access.ChangeSet {
	if len(b.ineffective) == 0 {
		return cs
	}
	out := access.ChangeSet{Problems: cs.Problems}
	for _, c := range cs.Changes {
		if b.ineffective[changeKey(c)] {
			b.problems = append(b.problems, access.Problem{CustomerID: customerID(c.ExternalID), Field: string(c.Kind), Reason: errNotKept.Error()})
			continue
		}
		out.Changes = append(out.Changes, c)
	}
	return out
}

// purpose labels a change's Brivo calls for the metrics.
func (b *batch) purpose(c access.Change) string {
	switch {
	case c.Kind == access.CreateUser || b.created[c.ExternalID]:
		return purposeNewResident
	case b.audit:
		return purposeAuditRepair
	}
	return purposeTransition
}

// execute applies one change. A problem that concerns only this resident is
// recorded, the resident's remaining changes in this batch are skipped, and
// the batch goes on with the others; one that concerns the whole account
// (auth, rate limit, outage) fails the activity so Temporal retries it.
func (b *batch) execute(ctx context.Context, c access.Change) error {
	if b.failed[c.ExternalID] {
		// A resident's changes are ordered so that every prefix is safe
		// (access/doc.go, "Diff"); after a gap that no longer holds: a new
		// mobile pass whose window could not be set must not meet a group.
		// The next apply reads Brivo and finishes this resident.
		b.problems = append(b.problems, access.Problem{
			CustomerID: customerID(c.ExternalID), Field: string(c.Kind),
			Reason: "skipped: an earlier change of this resident failed",
		})
		return nil
	}
	ctx = brivo.WithPurpose(ctx, b.purpose(c))
	var err error
	for attempt := 0; ; attempt++ {
		err = b.do(ctx, c)
		if err == nil || !brivo.IsRetryable(err) || attempt >= inlineRetries {
			break
		}
		wait, ok := brivo.RetryAfter(err)
		if !ok || wait <= 0 {
			wait = time.Second << attempt
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(wait, maxInlineWait)):
		}
	}
	if err == nil {
		b.done = append(b.done, c)
		return nil
	}
	if isAccountWide(err) {
		return brivoError(string(c.Kind)+" for "+c.ExternalID, err)
	}
	if errors.Is(err, errNotKept) {
		if b.ineffective == nil {
			b.ineffective = map[string]bool{}
		}
		b.ineffective[changeKey(c)] = true
	}
	if errors.Is(err, brivo.ErrNotFound) {
		// What we believed of Brivo is wrong (someone deleted the user by
		// hand): the next apply must read Brivo again.
		b.stale = true
	}
	b.problems = append(b.problems, access.Problem{
		CustomerID: customerID(c.ExternalID), Field: string(c.Kind), Reason: err.Error(),
	})
	if errors.Is(err, brivo.ErrNoPassesLeft) {
		return nil // no pass was issued: the resident's other changes stay safe
	}
	if b.failed == nil {
		b.failed = map[string]bool{}
	}
	b.failed[c.ExternalID] = true
	b.stale = true // what Brivo holds for this resident is unknown
	return nil
}

func customerID(externalID string) string {
	if len(externalID) > len(access.Prefix) {
		return externalID[len(access.Prefix):]
	}
	return externalID
}

func (b *batch) do(ctx context.Context, c access.Change) error {
	c2 := b.a.Brivo
	id := c.BrivoID
	if id == 0 {
		id = b.ids[c.ExternalID]
	}
	if id == 0 && c.Kind != access.CreateUser {
		return fmt.Errorf("no Brivo user for %s", c.ExternalID)
	}
	switch c.Kind {
	case access.CreateUser:
		return b.createUser(ctx, c)
	case access.PatchUser:
		u := c.User
		if u == nil {
			return errors.New("patch without desired fields")
		}
		_, _, err := c2.Users.Patch(ctx, id, userPatch(*u))
		return err
	case access.SetWindow:
		if c.Window == nil {
			return errors.New("set-window without a window")
		}
		// Only clearing a bound is undocumented: read that back.
		return b.assignWindow(ctx, id, c.CredentialID, *c.Window, c.Window.To == nil)
	case access.SetTag:
		return b.setTag(ctx, id, c.Tag)
	case access.ChangeGroups:
		_, err := c2.Users.ChangeGroups(ctx, id, c.AddGroups, c.RemoveGroups)
		return err
	case access.Suspend:
		_, err := c2.Users.SetSuspended(ctx, id, true)
		return err
	case access.Unsuspend:
		_, err := c2.Users.SetSuspended(ctx, id, false)
		return err
	case access.InviteMobilePass:
		return b.invite(ctx, id, c)
	case access.DeleteUser:
		_, err := c2.Users.Delete(ctx, id)
		return err
	}
	return fmt.Errorf("unknown change kind %q", c.Kind)
}

func (b *batch) createUser(ctx context.Context, c access.Change) error {
	if b.ids[c.ExternalID] != 0 {
		return nil
	}
	// observeMissing looked the user up just before the change set was
	// made. A batch resumed from heartbeat progress looks again, as a crash
	// may have created the user; a user created meanwhile by another
	// property is refused with 409 (externalId is unique), never doubled.
	if !b.looked[c.ExternalID] || b.resumed {
		existing, _, err := b.a.Brivo.Users.GetByExternalID(ctx, c.ExternalID)
		if err != nil {
			return err
		}
		if existing != nil {
			b.ids[c.ExternalID] = existing.ID
			return nil
		}
	}
	d := b.desired[c.ExternalID]
	if c.User != nil {
		d = *c.User
	}
	// No customFields in the body: Brivo documents none there. The tag is
	// written by the set-tag change that follows.
	u := &brivo.User{ExternalID: c.ExternalID, FirstName: d.FirstName, LastName: d.LastName}
	if d.Email != "" {
		u.Emails = []brivo.Email{{Address: d.Email, Type: "home"}}
	}
	created, _, err := b.a.Brivo.Users.Create(ctx, u)
	if err != nil {
		return err
	}
	b.ids[c.ExternalID] = created.ID
	if b.created == nil {
		b.created = map[string]bool{}
	}
	b.created[c.ExternalID] = true
	return nil
}

// setTag writes the "Entrata Property" custom field and checks the answer.
func (b *batch) setTag(ctx context.Context, userID int64, value string) error {
	fieldID, err := b.a.propertyField(ctx)
	if err != nil {
		return err
	}
	v, _, err := b.a.Brivo.Users.SetCustomField(ctx, userID, fieldID, value)
	if err != nil {
		return err
	}
	if v.Value != value {
		return errNotKept
	}
	return nil
}

// assignWindow sets a credential's window and, with verify, reads it back:
// what Brivo does with a cleared bound is not documented, so such a write is
// only trusted once a read shows it took effect.
func (b *batch) assignWindow(ctx context.Context, userID, credentialID int64, w access.Window, verify bool) error {
	if _, err := b.a.Brivo.Credentials.Assign(ctx, userID, credentialID, brivoWindow(w)); err != nil {
		return err
	}
	if !verify {
		return nil
	}
	creds, _, err := b.a.Brivo.Credentials.ListForUser(ctx, userID)
	if err != nil {
		return err
	}
	for _, c := range creds {
		if c.ID != credentialID {
			continue
		}
		got := access.Window{To: c.EffectiveTo}
		if c.EffectiveFrom != nil {
			got.From = *c.EffectiveFrom
		}
		if c.EffectiveFrom == nil || !got.Equal(truncWindow(w)) {
			return errNotKept
		}
		return nil
	}
	return errNotKept
}

// truncWindow is the window as Brivo stores it: whole seconds.
func truncWindow(w access.Window) access.Window {
	out := access.Window{From: w.From.Truncate(time.Second)}
	if w.To != nil {
		to := w.To.Truncate(time.Second)
		out.To = &to
	}
	return out
}

func (b *batch) invite(ctx context.Context, userID int64, c access.Change) error {
	if b.noPasses {
		return brivo.ErrNoPassesLeft
	}
	d := b.desired[c.ExternalID]
	if d.Email == "" {
		return nil
	}
	inv, pending, _, err := b.a.Brivo.MobilePass.Invite(ctx, userID, d.Email)
	if errors.Is(err, brivo.ErrNoPassesLeft) {
		b.noPasses = true
	}
	if err != nil || pending || inv == nil || inv.CredentialID == 0 {
		return err
	}
	// The new pass gets the resident's window at once, so it never opens a
	// door outside it.
	w := d.Window
	if c.Window != nil {
		w = *c.Window
	}
	// A new pass has no bound to clear: nothing undocumented to read back.
	if err := b.assignWindow(ctx, userID, inv.CredentialID, w, false); err != nil {
		return err
	}
	if b.invited == nil {
		b.invited = map[string]invitedPass{}
	}
	b.invited[c.ExternalID] = invitedPass{credentialID: inv.CredentialID, window: w}
	return nil
}

// believe returns the observed state with every change that succeeded.
func (b *batch) believe(observed []access.ObservedUser, cs access.ChangeSet) []access.ObservedUser {
	out := access.Apply(observed, access.ChangeSet{Changes: b.done})
	for i := range out {
		u := &out[i]
		// Apply numbers the users it creates on its own; the real ids are
		// the ones Brivo gave (or the ones we observed).
		if id, ok := b.ids[u.ExternalID]; ok && id != 0 {
			u.BrivoID = id
		}
		if pass, ok := b.invited[u.ExternalID]; ok && len(u.Credentials) == 0 {
			w := truncWindow(pass.window)
			from := w.From
			u.Credentials = []access.ObservedCredential{{ID: pass.credentialID, From: &from, To: w.To}}
			u.PendingInvitation = false
		}
	}
	return out
}

func brivoWindow(w access.Window) brivo.Window {
	from := w.From.UTC()
	out := brivo.Window{From: &from}
	if w.To != nil {
		to := w.To.UTC()
		out.To = &to
	}
	return out
}

func userPatch(d access.DesiredUser) *brivo.UserPatch {
	p := &brivo.UserPatch{FirstName: &d.FirstName, LastName: &d.LastName}
	if d.Email != "" {
		emails := []brivo.Email{{Address: d.Email, Type: "home"}}
		p.Emails = &emails
	}
	return p
}
