package access

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// Grant lets an entitlement's holder open one Brivo group's doors during one
// window. Reason is "building" or "unit <unitId>" (joined with ", " when one
// group serves both).
type Grant struct {
	GroupID int64
	Window  Window
	Reason  string
}

// Entitlement is everything one Entrata customer may open at one property.
// FirstName, LastName and Email are personal data: never log them.
type Entitlement struct {
	ExternalID string
	CustomerID string
	FirstName  string
	LastName   string
	Email      string
	// LeaseIDs are the leases the entitlement comes from, sorted.
	LeaseIDs []string
	// Window is the hull of the customer's windows: earliest start, latest
	// end, open-ended if any window is. It is the credential window.
	Window Window
	// Grants are sorted by group id, then start; per group they never
	// overlap or touch.
	Grants []Grant
}

// Problem is one record that could not be used, and why. It names ids and
// fields only, never a person's name or e-mail.
type Problem struct {
	LeaseID    string
	CustomerID string
	Field      string
	Reason     string
}

// String identifies the record and the problem without personal data.
func (p Problem) String() string {
	var b strings.Builder
	if p.LeaseID != "" {
		b.WriteString("lease " + p.LeaseID)
	}
	if p.CustomerID != "" {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("customer " + p.CustomerID)
	}
	if b.Len() == 0 {
		b.WriteString("record")
	}
	return b.String() + ": " + p.Field + ": " + p.Reason
}

// Result is the access policy's verdict for one property.
type Result struct {
	PropertyID string
	// Entitlements are sorted by ExternalID.
	Entitlements []Entitlement
	// Problems are sorted by lease, customer, field and reason.
	Problems []Problem
	// UnmappedUnits are the ids of units with residents but no Brivo group,
	// sorted.
	UnmappedUnits []string
	// Untouchable are the external ids, sorted, whose Brivo records must be
	// left exactly as they are because their Entrata data is bad.
	Untouchable []string
	// HoldAbsent is set when a record names a person whose id could not be
	// read: any Brivo user missing from the answer may be that person, so
	// none is revoked for being absent until the record is fixed.
	HoldAbsent bool
}

// Fingerprint is a short, stable hash of the entitlements and the
// untouchable ids: identical input gives an identical fingerprint, so a
// workflow can tell cheaply whether anything changed.
func (r Result) Fingerprint() string {
	h := sha256.New()
	writeCanon(h, r)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func writeCanon(w io.Writer, r Result) {
	fmt.Fprintf(w, "p %q\n", r.PropertyID)
	for _, e := range r.Entitlements {
		fmt.Fprintf(w, "e %q %q %q %q %q %q %s\n", e.ExternalID, e.CustomerID, e.FirstName, e.LastName,
			e.Email, strings.Join(e.LeaseIDs, ","), canonWindow(e.Window))
		for _, g := range e.Grants {
			fmt.Fprintf(w, "g %d %s %q\n", g.GroupID, canonWindow(g.Window), g.Reason)
		}
	}
	for _, u := range r.Untouchable {
		fmt.Fprintf(w, "u %q\n", u)
	}
	if r.HoldAbsent {
		fmt.Fprintln(w, "hold-absent")
	}
}

func canonWindow(win Window) string {
	to := "-"
	if win.To != nil {
		to = fmt.Sprint(win.To.Unix())
	}
	return fmt.Sprintf("%d..%s", win.From.Unix(), to)
}
