package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/entrata-brivo/entrata-brivo/activities"
)

// writeExplanation prints an explanation as plain text for an operator.
func writeExplanation(w io.Writer, ex activities.Explanation) {
	who := ex.ExternalID
	if ex.Name != "" {
		who += " (" + ex.Name + ")"
	}
	fmt.Fprintf(w, "Customer %s, Brivo external id %s, at property %s, %s\n", ex.CustomerID, who, ex.PropertyID, ex.At.Format(time.RFC3339))
	fmt.Fprintf(w, "Verdict: %s\n  %s\n", ex.Verdict, ex.Summary)
	if len(ex.Leases) == 0 {
		fmt.Fprintln(w, "Leases Entrata returned: none")
	} else {
		fmt.Fprintln(w, "Leases Entrata returned:")
	}
	for _, l := range ex.Leases {
		fmt.Fprintf(w, "  lease %s, unit %s: lease %s, customer %s, role %s, move-in %s, move-out %s\n    rule: %s\n",
			l.LeaseID, l.UnitID, l.Status, orNone(l.CustomerStatus), orNone(l.Role), orNone(l.MoveIn), orNone(l.MoveOut), l.Rule)
	}
	if ex.Window != "" {
		fmt.Fprintf(w, "Access window (credential): %s\n", ex.Window)
	}
	for _, g := range ex.Grants {
		fmt.Fprintf(w, "  group %d: %s (%s)\n", g.GroupID, g.Window, g.Reason)
	}
	if ex.Brivo == nil {
		fmt.Fprintf(w, "Brivo: no user with external id %s\n", ex.ExternalID)
	} else {
		b := ex.Brivo
		fmt.Fprintf(w, "Brivo (read now): user %d, suspended %t, groups of this property %v, tag %q\n", b.BrivoID, b.Suspended, b.Groups, b.Tag)
		for _, c := range b.Credentials {
			fmt.Fprintln(w, "  "+c)
		}
	}
	section(w, "Pending changes now", ex.ChangesNow)
	section(w, "Pending transitions", ex.Transitions)
	list(w, "Problems", ex.Problems)
	list(w, "Holds", ex.Holds)
}

func section(w io.Writer, title string, rows []activities.PreviewRow) {
	if len(rows) == 0 {
		fmt.Fprintf(w, "%s: none\n", title)
		return
	}
	fmt.Fprintf(w, "%s:\n", title)
	for _, r := range rows {
		detail := ""
		if r.Detail != "" {
			detail = " [" + r.Detail + "]"
		}
		fmt.Fprintf(w, "  %s %s%s: %s\n", r.At.Format(time.RFC3339), r.What, detail, r.Why)
	}
}

func list(w io.Writer, title string, items []string) {
	if len(items) == 0 {
		fmt.Fprintf(w, "%s: none\n", title)
		return
	}
	fmt.Fprintf(w, "%s:\n  %s\n", title, strings.Join(items, "\n  "))
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
