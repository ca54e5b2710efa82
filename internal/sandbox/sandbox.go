// Package sandbox assembles the two simulators into one world that the demo
// (make run), the sandbox binary and the end-to-end tests share: a generated
// Entrata portfolio, a Brivo account seeded with a site, doors and groups for
// every property, the mapping file that ties them together, and an optional
// demo property whose move-in and move-out happen minutes (or seconds) after
// start, so something visibly happens.
package sandbox

import (
	"fmt"
	"slices"
	"time"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
	"github.com/entrata-brivo/entrata-brivo/internal/brivosim"
	"github.com/entrata-brivo/entrata-brivo/internal/entrata"
	"github.com/entrata-brivo/entrata-brivo/internal/entratasim"
)

// Credentials the simulators accept. They are sandbox values, not secrets.
const (
	EntrataAPIKey     = "sandbox-entrata-key"
	BrivoAPIKey       = "sandbox-brivo-key"
	BrivoClientID     = "sandbox-client"
	BrivoClientSecret = "sandbox-client-secret"
	BrivoUsername     = "sandbox-admin"
	BrivoPassword     = "sandbox-admin-password"
)

// zones gives each generated property its own time zone in turn, so the
// sandbox exercises properties outside the default zone.
var zones = []string{"America/Denver", "America/Chicago", "America/New_York", "America/Los_Angeles"}

// Options shapes the sandbox.
type Options struct {
	Seed       int64
	Properties int
	Units      int
	// PropertyIDs, when set, are the properties' Entrata ids (Properties is
	// then ignored); by default they are 100, 101, ...
	PropertyIDs []int
	Now         time.Time // the start instant; the portfolio's "today" derives from it
	// Demo, when set, adds to the first property one resident moving in at
	// Now+MoveInAfter and one moving out at Now+MoveOutAfter.
	Demo *Demo
	// TokenLifetime of Brivo tokens; 300 s when zero.
	TokenLifetime time.Duration
	// LenientBrivo makes the Brivo simulator keep customFields sent in a
	// create body (brivosim.Options.LenientCreateCustomFields); by default
	// it follows the documentation strictly and ignores them.
	LenientBrivo bool
	// BrivoKeepsNullBounds sets brivosim.Options.KeepNullBounds.
	BrivoKeepsNullBounds bool
	// BrivoLooseFilters sets brivosim.Options.LooseCustomFieldFilters.
	BrivoLooseFilters bool
	// Preview lists the properties whose mapping entry says mode: preview.
	Preview []string
}

// Demo says when the demo move-in and move-out happen.
type Demo struct {
	MoveInAfter, MoveOutAfter time.Duration
}

// DemoEvent is one demo transition: who, at which door, when.
type DemoEvent struct {
	ExternalID    string    `json:"externalId"`
	PropertyID    string    `json:"propertyId"`
	AccessPointID int64     `json:"accessPointId"`
	At            time.Time `json:"at"`
}

// DemoInfo describes the demo transitions; the smoke test reads it.
type DemoInfo struct {
	MoveIn  DemoEvent `json:"moveIn"`
	MoveOut DemoEvent `json:"moveOut"`
}

// PropertySite is what the sandbox seeded in Brivo for one property.
type PropertySite struct {
	PropertyID     string
	Timezone       string
	StartTime      string // set only on the demo property
	EndTime        string
	EntranceAP     int64
	BuildingGroups []int64
	UnitGroups     map[string]int64 // unit number -> group id
}

// Sandbox is the assembled world.
type Sandbox struct {
	Entrata *entratasim.Server
	Brivo   *brivosim.Server
	Sites   []PropertySite
	Demo    *DemoInfo
	opts    Options
}

// New builds the sandbox: it generates the portfolio, seeds Brivo and, when
// asked, the demo residents.
func New(o Options) (*Sandbox, error) {
	if len(o.PropertyIDs) > 0 {
		o.Properties = len(o.PropertyIDs)
	}
	if o.Properties <= 0 || o.Units <= 0 {
		return nil, fmt.Errorf("sandbox: properties and units must be positive (got %d, %d)", o.Properties, o.Units)
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	s := &Sandbox{
		Entrata: entratasim.New(entratasim.Options{
			APIKey: EntrataAPIKey, Username: "sandbox-user", Password: "sandbox-password",
			// The sandbox is driven hard by tests and the demo: lift the
			// status method's 6/minute window, keep the rest realistic.
			Limits: map[string]string{"status": "8640/day;360/hour;60/minute"},
		}),
		Brivo: brivosim.New(brivosim.Options{
			APIKey: BrivoAPIKey, ClientID: BrivoClientID, ClientSecret: BrivoClientSecret,
			Username: BrivoUsername, Password: BrivoPassword, TokenLifetime: o.TokenLifetime,
			LenientCreateCustomFields: o.LenientBrivo, KeepNullBounds: o.BrivoKeepsNullBounds,
			LooseCustomFieldFilters: o.BrivoLooseFilters,
			// A mobile pass for every resident a generated portfolio can
			// hold (about 1.6 per unit), as a real account would buy.
			Allotted: max(500, 3*o.Properties*o.Units),
		}),
		opts: o,
	}
	denver, err := time.LoadLocation(zones[0])
	if err != nil {
		return nil, fmt.Errorf("sandbox: time zone data: %w", err)
	}
	p := entratasim.Generate(entratasim.GenOptions{
		Seed: o.Seed, Properties: o.Properties, UnitsPerProperty: o.Units,
		Today: entrata.DateOf(o.Now.In(denver)), FirstPropertyID: 100, PropertyIDs: o.PropertyIDs,
	})
	for i := range p.Properties {
		s.Sites = append(s.Sites, s.seedBrivo(&p.Properties[i], zones[i%len(zones)]))
	}
	if o.Demo != nil {
		if err := s.addDemo(&p); err != nil {
			return nil, err
		}
	}
	s.Entrata.Load(p)
	return s, nil
}

// seedBrivo creates one Brivo site per property: entrances and amenity doors
// with their building groups, and a door and a group per unit.
func (s *Sandbox) seedBrivo(pd *entratasim.PropertyData, zone string) PropertySite {
	id := pd.Property.ID
	b := s.Brivo
	site := b.AddSite("P" + id + " " + pd.Property.Name)
	main := b.AddAccessPoint(site.ID, "P"+id+" Main Entrance")
	garage := b.AddAccessPoint(site.ID, "P"+id+" Garage Gate")
	pool := b.AddAccessPoint(site.ID, "P"+id+" Pool")
	gym := b.AddAccessPoint(site.ID, "P"+id+" Fitness Center")
	ps := PropertySite{
		PropertyID: id, Timezone: zone, EntranceAP: main.ID,
		BuildingGroups: []int64{
			b.AddGroup("P"+id+" Entrances", main.ID, garage.ID).ID,
			b.AddGroup("P"+id+" Amenities", pool.ID, gym.ID).ID,
		},
		UnitGroups: map[string]int64{},
	}
	for _, u := range pd.Units {
		door := b.AddAccessPoint(site.ID, "P"+id+" Unit "+u.Number+" door")
		ps.UnitGroups[u.Number] = b.AddGroup(UnitGroupName(id, u.Number), door.ID).ID
	}
	return ps
}

// UnitGroupName is the Brivo group name of a unit, matching the mapping's
// unitGroupName template "P{propertyId} Unit {unitNumber}".
func UnitGroupName(propertyID, unitNumber string) string {
	return "P" + propertyID + " Unit " + unitNumber
}

// Policy returns the access policy the sandbox's mapping file describes.
func (s *Sandbox) Policy(propertyID string) (access.PropertyPolicy, error) {
	m, err := access.ParseMapping(s.MappingYAML(), access.Defaults{Timezone: zones[0], StartTime: "10:00", EndTime: "16:00"})
	if err != nil {
		return access.PropertyPolicy{}, err
	}
	p, ok := m.Policy(propertyID)
	if !ok {
		return p, fmt.Errorf("sandbox: no property %s", propertyID)
	}
	return p, nil
}

// PropertyIDs lists the sandbox's properties.
func (s *Sandbox) PropertyIDs() []string {
	out := make([]string, 0, len(s.Sites))
	for _, ps := range s.Sites {
		out = append(out, ps.PropertyID)
	}
	slices.Sort(out)
	return out
}
