package activities

import (
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
)

// foreseenPerTransition is the Brivo calls one transition is expected to
// take at its instant: a write, and a read or a second write (a move-out's
// suspension and group removal; a worker that believes nothing reads the
// person first).
const foreseenPerTransition = 2

// foresee tells the Brivo client about the property's next transitions
// after after that only a write can make (a move-in needs none: the window
// Brivo holds opens by itself), so this worker leases the rate their calls
// need shortly before their instant (worker/brivolease.go) rather than at
// it. The workflow runs its applies on this worker, which holds the plan.
func (a *Activities) foresee(propertyID string, r access.Result, after time.Time) {
	if a.Brivo == nil {
		return
	}
	var at time.Time
	calls := 0
	for _, t := range access.Transitions(r, after) {
		if calls > 0 && !t.At.Equal(at) {
			break
		}
		if t.Kind != access.KindMoveIn {
			at = t.At
			calls += foreseenPerTransition
		}
	}
	a.Brivo.Foresee(propertyID, at, calls)
}
