package access

import "fmt"

// GuardOptions tune the mass-revocation guard.
type GuardOptions struct {
	// MaxShare of active users that may lose access unscheduled in one
	// reconcile; default 0.20.
	MaxShare float64
	// MinCount of unscheduled revocations below which the guard never
	// holds; default 5.
	MinCount int
}

// GuardDecision says whether to hold a change set's unscheduled revocations.
type GuardDecision struct {
	Hold bool
	// Unscheduled counts the users losing access without a known move-out.
	Unscheduled int
	// Active counts the unsuspended users we own in Brivo.
	Active int
	Reason string
}

// Guard holds a change set whose unscheduled revocations reach MinCount and
// exceed MaxShare of the active users we own: the sign of an empty or partial
// Entrata answer. Scheduled revocations (a known move-out passed) never count.
func Guard(cs ChangeSet, observed []ObservedUser, o GuardOptions) GuardDecision {
	if o.MaxShare <= 0 {
		o.MaxShare = 0.20
	}
	if o.MinCount <= 0 {
		o.MinCount = 5
	}
	var d GuardDecision
	for _, u := range observed {
		if Owned(u.ExternalID) && !u.Suspended {
			d.Active++
		}
	}
	d.Unscheduled = len(unscheduledUsers(cs))
	d.Hold = d.Unscheduled >= o.MinCount && float64(d.Unscheduled) > o.MaxShare*float64(d.Active)
	if d.Hold {
		d.Reason = fmt.Sprintf("%d of %d active residents would lose access without a scheduled move-out (limit %.0f%%, at least %d)",
			d.Unscheduled, d.Active, o.MaxShare*100, o.MinCount)
	}
	return d
}

func unscheduledUsers(cs ChangeSet) map[string]bool {
	users := map[string]bool{}
	for _, c := range cs.Changes {
		if c.Revocation && !c.Scheduled {
			users[c.ExternalID] = true
		}
	}
	return users
}

// WithoutUnscheduledRevocations drops every change of the users that would
// lose access unscheduled: what the workflow applies while the guard holds.
func WithoutUnscheduledRevocations(cs ChangeSet) ChangeSet {
	held := unscheduledUsers(cs)
	out := ChangeSet{Problems: cs.Problems}
	for _, c := range cs.Changes {
		if !held[c.ExternalID] {
			out.Changes = append(out.Changes, c)
		}
	}
	return out
}
