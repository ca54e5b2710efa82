package workflows

import (
	"errors"

	"go.temporal.io/sdk/workflow"
)

// registerHandlers wires the contract's signals, updates and queries.
func (s *syncer) registerHandlers(ctx workflow.Context) error {
	s.syncNowCh = workflow.GetSignalChannel(ctx, SignalSyncNow)
	s.pauseCh = workflow.GetSignalChannel(ctx, SignalPause)
	s.resumeCh = workflow.GetSignalChannel(ctx, SignalResume)
	// One coroutine per signal turns each into a flag the loop reads. The
	// payload of every signal is optional and not needed, so it is ignored.
	for _, ch := range []workflow.ReceiveChannel{s.syncNowCh, s.pauseCh, s.resumeCh} {
		ch := ch
		workflow.Go(ctx, func(ctx workflow.Context) {
			for {
				ch.Receive(ctx, nil)
				s.onSignal(ch)
			}
		})
	}

	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (Status, error) {
		return s.status(), nil
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryUpcoming, func() (Upcoming, error) {
		return Upcoming{PropertyID: s.propertyID, Transitions: s.st.Next, Paused: s.st.Paused}, nil
	}); err != nil {
		return err
	}
	if err := s.registerOnboardingHandlers(ctx); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSync,
		func(ctx workflow.Context, _ *SyncRequest) (SyncReport, error) {
			if err := s.awaitCycle(ctx); err != nil {
				return SyncReport{}, err
			}
			return s.lastReport, nil
		}, workflow.UpdateHandlerOptions{Description: "Reconcile now and return the report"}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateApproveRevocations,
		func(ctx workflow.Context) (ApproveReport, error) {
			s.st.ApproveNext = true
			if err := s.awaitCycle(ctx); err != nil {
				return ApproveReport{}, err
			}
			r := s.lastApprove
			r.Error = s.lastReport.Error
			return r, nil
		}, workflow.UpdateHandlerOptions{
			Description: "Release the revocations held by the mass-revocation guard",
			Validator: func(ctx workflow.Context) error {
				if s.st.Held == 0 {
					return errors.New("no revocations are held for property " + s.propertyID)
				}
				if s.st.Paused {
					return errors.New("property " + s.propertyID + " is paused: resume it before approving revocations")
				}
				return nil
			},
		})
}

// Upcoming is the answer of the upcoming query.
type Upcoming struct {
	PropertyID  string       `json:"propertyId"`
	Paused      bool         `json:"paused,omitempty"`
	Transitions []Transition `json:"transitions"`
}

// awaitCycle asks for a reconcile and waits until one that started after the
// request has finished.
func (s *syncer) awaitCycle(ctx workflow.Context) error {
	target := s.cyclesDone + 1
	if s.inCycle {
		target++ // the running cycle may already be past its fetch
	}
	s.st.SyncRequested = true
	return workflow.Await(ctx, func() bool { return s.cyclesDone >= target })
}

func (s *syncer) onSignal(ch workflow.ReceiveChannel) {
	switch ch {
	case s.syncNowCh:
		s.st.SyncRequested = true
	case s.pauseCh:
		if !s.st.Paused {
			s.log.Info("Paused: changes will not be applied until resume", "PropertyID", s.propertyID)
		}
		s.st.Paused = true
	case s.resumeCh:
		if s.st.Paused {
			s.log.Info("Resumed", "PropertyID", s.propertyID)
			s.st.SyncRequested = true
		}
		s.st.Paused = false
	}
}

// drainSignals consumes whatever signals are buffered, without blocking.
func (s *syncer) drainSignals() {
	for _, ch := range []workflow.ReceiveChannel{s.syncNowCh, s.pauseCh, s.resumeCh} {
		for ch.ReceiveAsync(nil) {
			s.onSignal(ch)
		}
	}
}

func (s *syncer) status() Status {
	st := Status{
		PropertyID:     s.propertyID,
		State:          s.st.state(),
		LastSuccess:    timePtr(s.st.LastSuccess),
		LastFetch:      timePtr(s.st.LastFetch),
		LastAudit:      timePtr(s.st.LastAudit),
		Entitled:       s.st.Entitled,
		Granted:        s.st.Active,
		Problems:       s.st.Problems,
		ProblemSample:  s.st.ProblemSample,
		UnmappedUnits:  s.st.UnmappedUnits,
		AuditUnlisted:  s.st.Unlisted,
		Paused:         s.st.Paused,
		HeldRevocation: s.st.Held,
		HoldReason:     s.st.HoldReason,
		LastError:      s.st.LastError,
		NextWake:       timePtr(s.nextWake),
		Run:            s.st.Runs,
	}
	st.WithoutMobilePass = s.st.WithoutMobilePass
	if s.st.Preview {
		st.Mode, st.PreviewChanges = "preview", s.st.PreviewChanges
	}
	if len(s.st.Next) > 0 {
		st.NextTransition = timePtr(s.st.Next[0].At)
	}
	return st
}
