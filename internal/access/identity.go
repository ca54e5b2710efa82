package access

import (
	"fmt"
	"strconv"
	"strings"
)

// Prefix starts the externalId of every Brivo user the product owns. Users
// without it are never touched.
const Prefix = "entrata-"

// ExternalID returns the Brivo externalId of an Entrata customer.
func ExternalID(customerID string) string { return Prefix + customerID }

// Owned reports whether a Brivo externalId belongs to the product.
func Owned(externalID string) bool {
	return strings.HasPrefix(externalID, Prefix) && len(externalID) > len(Prefix)
}

// ClockTime is a property-local wall-clock time of day.
type ClockTime struct{ Hour, Minute, Second int }

// ParseClock parses "HH:MM" or "HH:MM:SS" (the hour may have one digit;
// seconds are an extension used by tests and demos).
func ParseClock(s string) (ClockTime, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) != 2 && len(parts) != 3 {
		return ClockTime{}, fmt.Errorf("time %q is not HH:MM", s)
	}
	var v [3]int
	for i, p := range parts {
		if len(p) == 0 || len(p) > 2 || (i > 0 && len(p) != 2) {
			return ClockTime{}, fmt.Errorf("time %q is not HH:MM", s)
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return ClockTime{}, fmt.Errorf("time %q is not HH:MM", s)
		}
		v[i] = n
	}
	c := ClockTime{Hour: v[0], Minute: v[1], Second: v[2]}
	if c.Hour > 23 || c.Minute > 59 || c.Second > 59 {
		return ClockTime{}, fmt.Errorf("time %q is out of range", s)
	}
	return c, nil
}

// String formats the time as HH:MM, or HH:MM:SS when it has seconds.
func (c ClockTime) String() string {
	if c.Second != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", c.Hour, c.Minute, c.Second)
	}
	return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute)
}
