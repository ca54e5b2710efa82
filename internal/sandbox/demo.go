package sandbox

import (
	"fmt"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/entratasim"
)

// Ids of the demo records; far above anything the generator produces.
const (
	demoMoveInLease     = "990001"
	demoMoveInCustomer  = "9900001"
	demoMoveOutLease    = "990002"
	demoMoveOutCustomer = "9900002"
)

// addDemo gives the first property a resident moving in at Now+MoveInAfter
// and one moving out at Now+MoveOutAfter. Entrata dates are whole days, so
// the property's access start and end times (with seconds, an extension of
// the mapping's HH:MM) are set to those instants' local clock times.
func (s *Sandbox) addDemo(p *entratasim.Portfolio) error {
	d := s.opts.Demo
	if d.MoveInAfter <= 0 || d.MoveOutAfter <= 0 {
		return fmt.Errorf("sandbox: demo move-in and move-out must be in the future")
	}
	pd := &p.Properties[0]
	site := &s.Sites[0]
	loc, err := time.LoadLocation(site.Timezone)
	if err != nil {
		return err
	}
	if len(pd.Units) < 2 {
		return fmt.Errorf("sandbox: the demo needs at least 2 units")
	}
	// Whole seconds: the window times are written as HH:MM:SS.
	in := s.opts.Now.Add(d.MoveInAfter).In(loc).Truncate(time.Second)
	out := s.opts.Now.Add(d.MoveOutAfter).In(loc).Truncate(time.Second)
	site.StartTime = in.Format("15:04:05")
	site.EndTime = out.Format("15:04:05")

	moveInDay, moveOutDay := entrata.DateOf(in), entrata.DateOf(out)
	pd.Leases = append(pd.Leases,
		entrata.Lease{
			ID: demoMoveInLease, PropertyID: pd.Property.ID, Status: entrata.LeaseFuture, IntervalStatus: "Future",
			UnitID: pd.Units[0].ID, MoveInDate: moveInDay,
			Customers: []entrata.Customer{{
				ID: demoMoveInCustomer, Type: "Primary", Relationship: "Primary", Status: "Future",
				FirstName: "Dana", LastName: "Movein", Email: "dana.movein@example.com", MoveInDate: moveInDay,
			}},
			Intervals: []entrata.LeaseInterval{{ID: "99000101", StartDate: moveInDay, EndDate: moveInDay.AddDays(364),
				TypeID: entrata.IntervalApplication, TypeName: "Application"}},
		},
		entrata.Lease{
			ID: demoMoveOutLease, PropertyID: pd.Property.ID, Status: entrata.LeaseNotice, IntervalStatus: "Notice",
			UnitID: pd.Units[1].ID, MoveInDate: moveOutDay.AddDays(-400), MoveOutDate: moveOutDay,
			Customers: []entrata.Customer{{
				ID: demoMoveOutCustomer, Type: "Primary", Relationship: "Primary", Status: "Current",
				FirstName: "Omar", LastName: "Moveout", Email: "omar.moveout@example.com", MoveInDate: moveOutDay.AddDays(-400),
			}},
			Intervals: []entrata.LeaseInterval{{ID: "99000201", StartDate: moveOutDay.AddDays(-400), EndDate: moveOutDay.AddDays(-36),
				TypeID: entrata.IntervalApplication, TypeName: "Application"}},
		},
	)
	s.Demo = &DemoInfo{
		MoveIn:  DemoEvent{ExternalID: access.ExternalID(demoMoveInCustomer), PropertyID: pd.Property.ID, AccessPointID: site.EntranceAP, At: in.UTC()},
		MoveOut: DemoEvent{ExternalID: access.ExternalID(demoMoveOutCustomer), PropertyID: pd.Property.ID, AccessPointID: site.EntranceAP, At: out.UTC()},
	}
	return nil
}
