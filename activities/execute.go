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
	invited    map[string]int64 // externalId -> credential id of a new mobile pass
	noPasses   bool
	stale      bool            // a change found Brivo not as believed
	failed     map[string]bool // externalId -> one of its changes failed
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
		_, err := c2.Credentials.Assign(ctx, id, c.CredentialID, brivoWindow(*c.Window))
		return err
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
	// A retry after a crash may find the user already created.
	existing, _, err := b.a.Brivo.Users.GetByExternalID(ctx, c.ExternalID)
	if err != nil {
		return err
	}
	if existing != nil {
		b.ids[c.ExternalID] = existing.ID
		return nil
	}
	fieldID, err := b.a.propertyField(ctx)
	if err != nil {
		return err
	}
	d := b.desired[c.ExternalID]
	if c.User != nil {
		d = *c.User
	}
	u := &brivo.User{
		ExternalID:   c.ExternalID,
		FirstName:    d.FirstName,
		LastName:     d.LastName,
		CustomFields: []brivo.CustomFieldValue{{ID: fieldID, Value: b.propertyID}},
	}
	if d.Email != "" {
		u.Emails = []brivo.Email{{Address: d.Email, Type: "home"}}
	}
	created, _, err := b.a.Brivo.Users.Create(ctx, u)
	if err != nil {
		return err
	}
	b.ids[c.ExternalID] = created.ID
	return nil
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
	if _, err := b.a.Brivo.Credentials.Assign(ctx, userID, inv.CredentialID, brivoWindow(d.Window)); err != nil {
		return err
	}
	if b.invited == nil {
		b.invited = map[string]int64{}
	}
	b.invited[c.ExternalID] = inv.CredentialID
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
		if cred, ok := b.invited[u.ExternalID]; ok && len(u.Credentials) == 0 {
			w := b.desired[u.ExternalID].Window
			from := w.From
			u.Credentials = []access.ObservedCredential{{ID: cred, From: &from, To: w.To}}
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
