package main

import (
	"log/slog"

	"github.com/entrata-brivo/entrata-brivo/internal/access"
)

// logDefaultZones says once, at start-up, which properties name no timezone
// in the mapping and which zone they get instead (SYNC_DEFAULT_TIMEZONE):
// a wrong zone shifts every move-in and move-out by hours, silently.
func logDefaultZones(logger *slog.Logger, m *access.Mapping) {
	for _, id := range m.PropertyIDs() {
		if p, ok := m.Policy(id); ok && p.DefaultZone {
			logger.Warn("property has no timezone in the mapping; using the default zone",
				"propertyId", id, "timezone", p.Location.String())
		}
	}
}
