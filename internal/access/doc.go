// Package access is the product's access policy: it turns Entrata facts
// (units, leases, customers) and a property's mapping into entitlements (who
// may open which Brivo groups' doors, from when to when), plans the desired
// Brivo state at any instant and the future instants at which it changes,
// diffs that desired state against the Brivo records the product owns, and
// guards against mass revocations. It does no I/O (except LoadMapping reading
// the mapping file) and reads no clock: "now" is always an argument. Every
// output is sorted, so identical input gives identical output whatever the
// order of the input or of Go's maps.
//
// # Identity
//
// One Brivo user per Entrata customer: externalId = "entrata-" + customerId.
// Renewals and transfers keep the customer id, hence the same user and the
// same credential (deleting it would force a new mobile-pass invitation).
//
// # Who gets access
//
// A customer on a lease is granted access when all of these hold:
//   - the customer's type is not Guarantor (case-insensitive); Primary,
//     Co-Applicant, Occupant and any other type are residents;
//   - the customer's status is Current, Future or Notice (an empty status
//     takes the lease's status; any other unknown status is a Problem);
//   - the lease's status is Future, Current or Notice.
//
// Applicant and Cancelled leases and Cancelled customers never grant and are
// ignored silently. A Past lease, or a Past customer, grants nothing beyond
// its move-out: when it has a move-out date it yields a window that ends
// there (so a former resident's record is suspended on schedule, and the old
// unit of a transfer keeps its door until the move-out); without one it yields
// nothing at all, and a Brivo record for that customer is revoked as absent
// (which the mass-revocation guard counts).
//
// A customer Entrata reports Past is treated alike whatever the lease's
// status: access ends at their own move-out, or, without one, at once; only
// on a Past lease is the lease's move-out everyone's.
//
// A Future customer with no move-in of their own on a lease that has begun
// (Current or Notice) gets no access and is a Problem (and Untouchable)
// until Entrata gives them a move-in date or makes them Current.
//
// A guarantor who is also an occupant on another lease is entitled through
// that other lease only: roles are decided per (lease, customer).
//
// # Windows
//
// Start = the customer's move-in date, else the lease's, at the property's
// start time (ACCESS_START_TIME or accessStartTime, default 10:00) in the
// property's zone. End = the move-out date (the customer's, else the
// lease's) at the end time (default 16:00); with none the window is
// open-ended. A lease's end date and its intervals' end dates never end
// access: holdover and month-to-month residents still live there. A renewal
// that clears the move-out date, or a notice that is withdrawn, reopens the
// window; an earlier move-out date moves the end earlier; a move-out in the
// past ends access now.
//
// Wall times are resolved in the property's zone across DST changes: a wall
// time that does not exist (02:30 on a spring-forward day) is read with the
// offset in force before the jump, i.e. it moves forward by the gap (03:30
// MDT); a wall time that happens twice (01:30 on a fall-back day) is its
// first occurrence.
//
// # Groups and grants
//
// Every granting (lease, customer) contributes its window to each of the
// property's building groups, and to the lease unit's group: the mapping's
// explicit units entry, else unitGroupName with {unitNumber}, {buildingName}
// and {propertyId} replaced and looked up by exact name among the Brivo
// groups passed in, else the unit is reported in Result.UnmappedUnits and its
// residents get the building groups only.
//
// A name that matches two Brivo groups, or a group that two units would get
// by name (say "Unit {unitNumber}" with a unit 101 in two buildings), is a
// Problem: neither unit gets that group by name, each keeps its building
// groups. UnitNumberClashes lets the worker warn about such a pattern. Per group the windows of all the
// customer's leases are merged (overlapping or adjacent windows become one
// Grant), so several leases at one property give the union of their doors.
// Entitlement.Window is the hull of the customer's windows (earliest start,
// latest end, open if any is open); it is the credential window.
//
// # Transfers
//
// A lease with a parentLeaseId, or with a Transfer interval, is a transfer.
// For every customer on both leases, the old lease (the parent) ends at its
// own move-out instant, or, when it has none, at the transfer date (else the
// transfer interval's start, else the new move-in) at the end time, but
// never before the new lease's move-in instant: the old door stays until
// the new one opens. The new unit's group starts at the new lease's move-in
// instant. A Transfer interval without a parent lease ends no other lease
// (which one it replaces is unknown) and is a Problem. Building groups continue: a gap of up to
// MaxTransferBridge (7 days) between the old end and the new start is bridged
// for the building groups; a longer gap is a move-out and a new move-in. With the
// default times, a same-day transfer gives the resident both unit doors from
// 10:00 to 16:00: they keep their own door until after the new one opens,
// with no gap.
//
// # Bad input
//
// A malformed record is a Problem (lease id, customer id, field, reason; never
// names or e-mails) and never removes anyone's access: a move-out before the
// move-in, no move-in date at all, an unknown unit, a lease from another
// property, an unknown lease or customer status, a customer listed twice on
// one lease, a lease id seen twice.
//
// Faults are per customer: the decoder marks one roommate's bad record
// (Customer.Invalid) and the lease's other customers keep exactly what their
// data gives them; a lease whose own fields are bad (Lease.Invalid) makes
// every customer it names Untouchable, never absent. A record naming a
// customer whose id cannot be read sets Result.HoldAbsent: no Brivo user is
// revoked for being absent (it may be that person) until it is fixed.
//
// A customer with a problem on a lease that could grant access is listed in
// Result.Untouchable (the diff leaves that Brivo record exactly as it is
// until the data is fixed) unless one of their good leases is a Current or
// Notice home of theirs: then the good leases alone decide, so their ends
// are enforced, and the bad lease grants nothing. A customer with problems
// and nothing else is Untouchable too.
//
// # Messy data, one rule a line
//
//   - A bad customer record leaves that customer as is (Untouchable) and reported; the lease's other customers keep exactly what their data gives.
//   - A record naming someone whose id cannot be read holds every revocation for absence (Result.HoldAbsent) until fixed; it is reported.
//   - A unit group name matching two groups, or one group two units would share by name, is a Problem: neither unit gets it, both keep the building.
//   - A transfer's old lease without a move-out keeps its unit until the new move-in instant; the building groups never lapse between them.
//   - A Past customer's access ends at their own move-out, or at once without one, whatever the lease's status (on a Past lease, the lease's move-out).
//   - A Future customer with no own move-in on a begun lease gets no access until Entrata gives a date or makes them Current; it is reported.
//   - A bad lease grants nothing; the person's good Current or Notice leases still decide, so their ends are enforced.
//   - Per user, narrowing changes (suspension, group removal, window shrink) come before widening ones; no prefix of a change list lets anyone in.
//   - A Transfer interval without a parent lease ends no other lease and is reported.
//   - A property with no timezone uses the default zone and the worker logs it once at start-up; residents with no e-mail get no mobile pass and status counts them (withoutMobilePass).
//
// # Planning
//
// DesiredAt gives the Brivo state at an instant. Before a user's window
// starts the user exists, unsuspended, with the groups that will be active
// at the start: the credential window gates entry, so access opens at the
// exact instant without waiting for a timer. Inside the window the user has
// the groups whose grants contain the instant. At or after the end the user
// is suspended with no groups. Transitions lists the instants at which that
// state changes (plus each move-in, for information).
//
// # Diff
//
// Diff touches only users whose externalId has the prefix, never Untouchable
// ones, and never creates a user whose desired state is suspended. A user we
// own that is absent from the desired state is suspended and stripped of its
// groups (an unscheduled revocation); it is deleted only when Entrata
// confirmed the customer gone. Manual edits to our records (names, groups,
// suspension, credential windows) are put back.
//
// Order, per user, so that no prefix of the change set ever lets anyone open
// a door, at any instant, that neither the old nor the new state allows:
// narrowing changes come before widening ones. For a revocation, suspend
// first, then remove groups, then narrow the window. Otherwise remove groups
// first, then set the windows (narrowing ones first), then invite a mobile
// pass (Brivo issues it with no window and the executor narrows it at once,
// so it must not meet a group before that: it comes before any group is
// added), then add groups, then unsuspend last. A group swap with no window
// change is one atomic call, so a transferring resident never loses both
// doors. Across users, each user's changes up to
// its first revocation come first (by externalId), then the rest (by
// externalId), so an interrupted batch leaves grants done and revocations
// pending, never the reverse for one user. The executor keeps to prefixes:
// when one of a user's changes fails, it skips that user's remaining changes
// in the batch and the next apply reads Brivo and finishes them. A change
// made while the user is (and stays, at that point) suspended removes no
// access and is not a revocation.
//
// # Ownership across properties (union.go)
//
//   - One Brivo user serves a person in every property of the account;
//     suspension, credential windows, names and deletion are account-wide.
//   - The "Entrata Property" tag lists every property that manages the
//     person: exactly "10", or ",10,100," for several (FormatTag). A property
//     decides ownership from the parsed value (TagLists), never from a
//     filter alone, and writes only its own id in (while the plan has the
//     person) or out (when absent and another property still entitles).
//   - Account-wide state follows the union of every property's windows
//     (DesiredAtShared): the credential window is their hull, the user is
//     suspended only when all of them are over, and names are left to the
//     entitling property with the smallest id.
//   - A property's groups are pre-provisioned before its own move-in only
//     when no other property's window opens the credential earlier.
//   - An absent person another property still entitles loses only this
//     property's groups: never suspended, never deleted.
//   - When another property's entitlement is unknown, the person is
//     Untouchable for this apply.
//
// # Adoption
//
// ProposeAdoption matches Brivo users entered by hand (no Prefix external
// id) to the residents entitled now or later: first by e-mail (exact,
// case-insensitive), then by first and last name together with membership
// of the resident's unit group. Two candidates, a name match outside the
// unit group, two users for one resident, or a resident who already has a
// synced user are ambiguous and never adopted automatically; a user no
// resident matches is "not in Entrata", listed and never revoked. LeaseRule
// names the rule above that a (lease, customer) falls under, for explain.
//
// # Mass-revocation guard
//
// Guard holds a change set when its unscheduled revocations (users absent
// from Entrata's answer, as opposed to known move-outs) reach MinCount
// (default 5) and exceed MaxShare (default 20%) of the currently active
// users we own: an empty or partial Entrata answer must not lock a building
// out.
package access
