package activities

import (
	"context"
	"slices"
	"strings"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
)

// maxConfirmationsPerFetch bounds the Entrata calls one fetch spends on
// confirming deletions; the rest wait for the next poll.
const maxConfirmationsPerFetch = 10

// confirmGone asks Entrata about our Brivo users whose customer is absent
// from this fetch, and returns those Entrata positively confirms gone: a
// getLeases for that customer, with every lease status and no date bound,
// returns nothing. Absence from the property's listing alone is never
// enough: a former resident outside the Past horizon still has a lease and
// is only suspended.
//
// It confirms nothing when the listing itself looks wrong (no leases at
// all) or when the absentees are many, which is the mass-revocation guard's
// business: deleting is the one change that cannot be put back.
func (a *Activities) confirmGone(ctx context.Context, propertyID string, mem *propertyMemory,
	r access.Result, leases int) map[string]bool {
	mem.mu.Lock()
	believed := mem.believed
	mem.mu.Unlock()
	if believed == nil || leases == 0 {
		return nil // nothing applied yet here, or an empty answer
	}
	present := map[string]bool{}
	for _, e := range r.Entitlements {
		present[e.ExternalID] = true
	}
	for _, u := range r.Untouchable {
		present[u] = true
	}
	var absent []string
	for _, u := range believed.users {
		if access.Owned(u.ExternalID) && !present[u.ExternalID] {
			absent = append(absent, u.ExternalID)
		}
	}
	slices.Sort(absent)
	guard := a.Config.Guard
	if guard.MinCount == 0 {
		guard.MinCount = 5
	}
	if len(absent) == 0 || len(absent) >= guard.MinCount && len(absent)*5 > len(believed.users) {
		return nil
	}
	gone := map[string]bool{}
	for _, ext := range absent[:min(len(absent), maxConfirmationsPerFetch)] {
		cust := strings.TrimPrefix(ext, access.Prefix)
		found, problems, _, err := a.Entrata.GetLeases(ctx, entrata.LeaseQuery{
			PropertyID: propertyID, CustomerID: cust,
			Statuses: []entrata.LeaseStatus{entrata.LeaseApplicant, entrata.LeaseCancelled, entrata.LeaseFuture,
				entrata.LeaseCurrent, entrata.LeaseNotice, entrata.LeasePast},
		})
		if err != nil || len(problems) > 0 {
			continue // unknown is not gone
		}
		if !hasCustomer(found, cust) {
			gone[ext] = true
		}
	}
	if len(gone) == 0 {
		return nil
	}
	a.Logger.Info("Entrata confirmed customers deleted; their Brivo users will be deleted",
		"propertyId", propertyID, "count", len(gone))
	return gone
}

func hasCustomer(leases []entrata.Lease, customerID string) bool {
	for _, l := range leases {
		for _, c := range l.Customers {
			if c.ID == customerID {
				return true
			}
		}
	}
	return false
}
