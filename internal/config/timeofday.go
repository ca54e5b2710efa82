package config

import (
	"fmt"
	"time"
)

// TimeOfDay is a wall-clock time in a property's local zone, such as the
// default start and end of a resident's access window.
type TimeOfDay struct {
	Hour, Minute, Second int
}

// ParseTimeOfDay parses "HH:MM" or "HH:MM:SS" (24-hour clock).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return TimeOfDay{Hour: t.Hour(), Minute: t.Minute(), Second: t.Second()}, nil
		}
	}
	return TimeOfDay{}, fmt.Errorf("%q is not a time of day (HH:MM or HH:MM:SS, 24-hour)", s)
}

// String returns "HH:MM", or "HH:MM:SS" when seconds are set.
func (t TimeOfDay) String() string {
	if t.Second != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", t.Hour, t.Minute, t.Second)
	}
	return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute)
}

// On returns the instant this time of day falls on the given calendar day in
// loc.
func (t TimeOfDay) On(year int, month time.Month, day int, loc *time.Location) time.Time {
	return time.Date(year, month, day, t.Hour, t.Minute, t.Second, 0, loc)
}
