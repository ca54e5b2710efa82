package access

import (
	"strings"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// LeaseRule names, in one sentence for an operator, the rule of the access
// policy (see the package documentation) that one customer's place on one
// lease falls under. It names no personal data.
func LeaseRule(l entrata.Lease, c entrata.Customer) string {
	status := strings.ToLower(strings.TrimSpace(c.Status))
	begun := l.Status == entrata.LeaseCurrent || l.Status == entrata.LeaseNotice
	var rule string
	switch {
	case l.Invalid != "":
		rule = "bad lease record: it grants nothing and its customers are left as they are until it is fixed"
	case c.Invalid != "":
		rule = "bad customer record: this person is left as they are until it is fixed"
	case l.Status == entrata.LeaseApplicant || l.Status == entrata.LeaseCancelled:
		rule = "applicant or cancelled lease: never grants access"
	case strings.EqualFold(strings.TrimSpace(c.Type), "guarantor"):
		rule = "guarantor: never granted access through this lease"
	case status == "cancelled":
		rule = "cancelled customer: never granted access"
	case status == "past":
		rule = "past customer: access ends at their own move-out, or at once without one"
	case l.Status == entrata.LeasePast:
		rule = "past lease: access ends at the move-out (nothing without one)"
	case status == "future" && c.MoveInDate.IsZero() && begun:
		rule = "future customer on a begun lease without a move-in of their own: no access until Entrata gives one"
	case status != "" && status != "current" && status != "notice" && status != "future":
		rule = "unknown customer status: left as they are until it is fixed"
	case l.Status == entrata.LeaseFuture:
		rule = "future lease: the user is provisioned ahead, the door opens at the move-in instant"
	case begun && c.MoveOutDate.IsZero() && l.MoveOutDate.IsZero():
		rule = "current lease without a move-out: access from the move-in, open-ended"
	case begun:
		rule = "lease with a move-out (notice): access from the move-in until the move-out"
	default:
		rule = "unknown lease status: its customers are left as they are until it is fixed"
	}
	if l.ParentLeaseID != "" {
		rule += "; a transfer from lease " + l.ParentLeaseID + ", whose unit stays open until this one's opens"
	}
	return rule
}
