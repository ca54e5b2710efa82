package access

import (
	"strings"
	"testing"

	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

func TestLeaseRule(t *testing.T) {
	day := entrata.Date{Year: 2026, Month: 6, Day: 1}
	for _, tc := range []struct {
		name string
		l    entrata.Lease
		c    entrata.Customer
		want string
	}{
		{"current open-ended", entrata.Lease{Status: entrata.LeaseCurrent}, entrata.Customer{Status: "Current"}, "open-ended"},
		{"notice", entrata.Lease{Status: entrata.LeaseNotice, MoveOutDate: day}, entrata.Customer{Status: "Notice"}, "until the move-out"},
		{"future lease", entrata.Lease{Status: entrata.LeaseFuture}, entrata.Customer{Status: "Future"}, "provisioned ahead"},
		{"past lease", entrata.Lease{Status: entrata.LeasePast}, entrata.Customer{}, "past lease"},
		{"past customer on a current lease", entrata.Lease{Status: entrata.LeaseCurrent}, entrata.Customer{Status: "Past"}, "past customer"},
		{"guarantor", entrata.Lease{Status: entrata.LeaseCurrent}, entrata.Customer{Type: " GUARANTOR"}, "guarantor"},
		{"applicant", entrata.Lease{Status: entrata.LeaseApplicant}, entrata.Customer{}, "never grants"},
		{"future roommate without a date", entrata.Lease{Status: entrata.LeaseCurrent}, entrata.Customer{Status: "Future"}, "no access until"},
		{"future roommate with a date", entrata.Lease{Status: entrata.LeaseCurrent}, entrata.Customer{Status: "Future", MoveInDate: day}, "open-ended"},
		{"unknown customer status", entrata.Lease{Status: entrata.LeaseCurrent}, entrata.Customer{Status: "Evicted"}, "unknown customer status"},
		{"bad customer", entrata.Lease{Status: entrata.LeaseCurrent}, entrata.Customer{Invalid: "x"}, "bad customer record"},
		{"bad lease", entrata.Lease{Status: entrata.LeaseCurrent, Invalid: "x"}, entrata.Customer{}, "bad lease record"},
		{"transfer", entrata.Lease{Status: entrata.LeaseCurrent, ParentLeaseID: "9"}, entrata.Customer{}, "transfer from lease 9"},
	} {
		if got := LeaseRule(tc.l, tc.c); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q; want it to say %q", tc.name, got, tc.want)
		}
	}
}
