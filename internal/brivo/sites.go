package brivo

import (
	"context"
	"fmt"
)

// SitesService calls the /sites endpoints.
type SitesService service

// AccessPointsService calls the /access-points endpoints.
type AccessPointsService service

// Site is a Brivo site (a building or property).
type Site struct {
	ID       int64  `json:"id"`
	SiteName string `json:"siteName"`
}

// AccessPoint is a door or gate.
type AccessPoint struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	Type           string `json:"type,omitempty"`
	ControlPanelID int64  `json:"controlPanelId,omitempty"`
	SiteID         int64  `json:"siteId,omitempty"`
	SiteName       string `json:"siteName,omitempty"`
}

// List calls GET /sites for one page.
func (s *SitesService) List(ctx context.Context, opts *ListOptions) ([]Site, *Response, error) {
	return getList[Site](ctx, s.client, "/sites", "/sites", opts)
}

// ListAll pages GET /sites until every site is read.
func (s *SitesService) ListAll(ctx context.Context) ([]Site, error) {
	sites, _, err := listAll[Site](ctx, s.client, "/sites", "/sites", "")
	return sites, err
}

// AccessPoints pages GET /sites/{id}/access-points until every one is read.
func (s *SitesService) AccessPoints(ctx context.Context, siteID int64) ([]AccessPoint, error) {
	aps, _, err := listAll[AccessPoint](ctx, s.client, fmt.Sprintf("/sites/%d/access-points", siteID),
		"/sites/{id}/access-points", "")
	return aps, err
}

// List calls GET /access-points for one page.
func (s *AccessPointsService) List(ctx context.Context, opts *ListOptions) ([]AccessPoint, *Response, error) {
	return getList[AccessPoint](ctx, s.client, "/access-points", "/access-points", opts)
}

// ListAll pages GET /access-points until every access point is read.
func (s *AccessPointsService) ListAll(ctx context.Context) ([]AccessPoint, error) {
	aps, _, err := listAll[AccessPoint](ctx, s.client, "/access-points", "/access-points", "")
	return aps, err
}
