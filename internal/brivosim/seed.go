package brivosim

import (
	"errors"
	"fmt"
	"slices"
)

func (s *Server) registerAPI() {
	s.registerUserRoutes()
	s.registerGroupRoutes()
	s.registerCredentialRoutes()
}

// AddSite seeds a site.
func (s *Server) AddSite(name string) Site {
	s.mu.Lock()
	defer s.mu.Unlock()
	site := &Site{ID: s.newID(), SiteName: name}
	s.sites[site.ID] = site
	return *site
}

// AddAccessPoint seeds a door on a site. It panics on an unknown site, as
// seeding mistakes are programming errors.
func (s *Server) AddAccessPoint(siteID int64, name string) AccessPoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	site := s.sites[siteID]
	if site == nil {
		panic(fmt.Sprintf("brivosim: AddAccessPoint: unknown site %d", siteID))
	}
	ap := &AccessPoint{ID: s.newID(), Name: name, Type: "door", ControlPanelID: siteID*10 + 1,
		SiteID: siteID, SiteName: site.SiteName}
	s.aps[ap.ID] = ap
	return *ap
}

// AddGroup seeds a group granting the given access points.
func (s *Server) AddGroup(name string, accessPointIDs ...int64) Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.addGroup(name)
	s.setGroupAccessPoints(g, accessPointIDs, false)
	return Group{ID: g.ID, Name: g.Name, AccessPointIDs: slices.Clone(g.AccessPointIDs)}
}

func (s *Server) addGroup(name string) *Group {
	g := &Group{ID: s.newID(), Name: name}
	s.groups[g.ID] = g
	return g
}

// SetGroupAccessPoints replaces the access points a group grants, as a
// console edit. It panics on an unknown group or access point.
func (s *Server) SetGroupAccessPoints(groupID int64, accessPointIDs ...int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[groupID]
	if g == nil {
		panic(fmt.Sprintf("brivosim: SetGroupAccessPoints: unknown group %d", groupID))
	}
	s.setGroupAccessPoints(g, accessPointIDs, true)
}

// setGroupAccessPoints replaces a group's access points and records the
// difference; the lock is held.
func (s *Server) setGroupAccessPoints(g *Group, apIDs []int64, console bool) {
	next := map[int64]bool{}
	for _, id := range apIDs {
		if s.aps[id] == nil {
			panic(fmt.Sprintf("brivosim: unknown access point %d", id))
		}
		next[id] = true
	}
	for _, id := range g.AccessPointIDs {
		if !next[id] {
			s.recordGrant(g.ID, id, false)
			s.event("group.access-point-removed", 0, fmt.Sprintf("group %d access point %d", g.ID, id), console)
		}
	}
	old := map[int64]bool{}
	for _, id := range g.AccessPointIDs {
		old[id] = true
	}
	for _, id := range sortedKeys(next) {
		if !old[id] {
			s.recordGrant(g.ID, id, true)
			s.event("group.access-point-added", 0, fmt.Sprintf("group %d access point %d", g.ID, id), console)
		}
	}
	g.AccessPointIDs = sortedKeys(next)
}

// AddCard seeds an unassigned card credential and returns its id.
func (s *Server) AddCard(referenceID string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &credential{id: s.newID(), referenceID: referenceID, formatID: formatCard, formatName: "Standard 26 Bit"}
	s.putCred(c)
	return c.id
}

// RedeemInvitations redeems the user's pending invitations (with
// ManualRedeem). It returns how many it redeemed.
func (s *Server) RedeemInvitations(userID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, inv := range s.invitationsOf(userID) {
		if inv.status == "PENDING" {
			s.redeem(inv)
			n++
		}
	}
	return n
}

// DemoSite describes what SeedDemo created.
type DemoSite struct {
	Site           Site          `json:"site"`
	Entrances      []AccessPoint `json:"entrances"`
	Amenities      []AccessPoint `json:"amenities"`
	UnitDoors      []AccessPoint `json:"unitDoors"`
	BuildingGroup  Group         `json:"buildingGroup"`
	AmenitiesGroup Group         `json:"amenitiesGroup"`
	UnitGroups     []Group       `json:"unitGroups"`
}

// SeedDemo seeds one site with two entrances, two amenity doors and units
// unit doors (101, 102, ...), a "Residents - Entrances" group, a
// "Residents - Amenities" group and one "Unit N" group per unit door.
func (s *Server) SeedDemo(name string, units int) DemoSite {
	d := DemoSite{Site: s.AddSite(name)}
	for _, n := range []string{"Main Entrance", "Garage Gate"} {
		d.Entrances = append(d.Entrances, s.AddAccessPoint(d.Site.ID, n))
	}
	for _, n := range []string{"Pool", "Fitness Center"} {
		d.Amenities = append(d.Amenities, s.AddAccessPoint(d.Site.ID, n))
	}
	d.BuildingGroup = s.AddGroup("Residents - Entrances", apIDs(d.Entrances)...)
	d.AmenitiesGroup = s.AddGroup("Residents - Amenities", apIDs(d.Amenities)...)
	for i := range units {
		unit := fmt.Sprintf("%d", 101+i)
		ap := s.AddAccessPoint(d.Site.ID, "Unit "+unit+" door")
		d.UnitDoors = append(d.UnitDoors, ap)
		d.UnitGroups = append(d.UnitGroups, s.AddGroup("Unit "+unit, ap.ID))
	}
	return d
}

func apIDs(aps []AccessPoint) []int64 {
	out := make([]int64, len(aps))
	for i, ap := range aps {
		out[i] = ap.ID
	}
	return out
}

// ErrNotFound is returned by console edits naming an unknown record.
var ErrNotFound = errors.New("brivosim: no such record")
