package brivosim

import (
	"net/http"
	"slices"
)

func (s *Server) registerGroupRoutes() {
	s.api.handle("GET", "/groups", s.listGroups)
	s.api.handle("POST", "/groups", s.createGroup)
	s.api.handle("GET", "/groups/{id}", s.getGroup)
	s.api.handle("GET", "/groups/{id}/users", s.listGroupUsers)
	s.api.handle("PUT", "/groups/{id}/users/{user}", s.putGroupUser)
	s.api.handle("DELETE", "/groups/{id}/users/{user}", s.deleteGroupUser)
	s.api.handle("GET", "/groups/{id}/access/access-points", s.listGroupAccessPoints)
	s.api.handle("PUT", "/groups/{id}/access/access-points/{ap}", s.putGroupAccessPoint)
	s.api.handle("DELETE", "/groups/{id}/access/access-points/{ap}", s.deleteGroupAccessPoint)
	s.api.handle("GET", "/sites", s.listSites)
	s.api.handle("GET", "/sites/{id}", s.getSite)
	s.api.handle("GET", "/sites/{id}/access-points", s.listSiteAccessPoints)
	s.api.handle("GET", "/access-points", s.listAccessPoints)
	s.api.handle("GET", "/access-points/{id}", s.getAccessPoint)
}

func groupWire(g *Group) Group { return Group{ID: g.ID, Name: g.Name} }

func (s *Server) pathGroup(w http.ResponseWriter, params map[string]string) (*Group, bool) {
	id, ok := pathID(w, params, "id")
	if !ok {
		return nil, false
	}
	g := s.groups[id]
	if g == nil {
		writeErr(w, http.StatusNotFound, "Requested group not found")
		return nil, false
	}
	return g, true
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var out []Group
	for _, id := range sortedKeys(s.groups) {
		out = append(out, groupWire(s.groups[id]))
	}
	writePage(w, r, out)
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var body struct {
		Name string `json:"name"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Name == "" || len(body.Name) > 35 {
		writeErr(w, http.StatusBadRequest, "Group name must be 1 to 35 characters")
		return
	}
	g := s.addGroup(body.Name)
	writeJSON(w, http.StatusOK, groupWire(g))
}

func (s *Server) getGroup(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	if g, ok := s.pathGroup(w, params); ok {
		writeJSON(w, http.StatusOK, groupWire(g))
	}
}

func (s *Server) listGroupUsers(w http.ResponseWriter, r *http.Request, params map[string]string) {
	g, ok := s.pathGroup(w, params)
	if !ok {
		return
	}
	var members []*user
	for _, id := range sortedKeys(s.members[g.ID]) {
		members = append(members, s.users[id])
	}
	s.writeUserPage(w, r, members)
}

func (s *Server) groupAndUser(w http.ResponseWriter, params map[string]string) (*Group, *user, bool) {
	g, ok := s.pathGroup(w, params)
	if !ok {
		return nil, nil, false
	}
	u, ok := s.pathUser(w, map[string]string{"id": params["user"]})
	return g, u, ok
}

func (s *Server) putGroupUser(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	g, u, ok := s.groupAndUser(w, params)
	if !ok {
		return
	}
	if status, msg := s.changeGroups(u, []int64{g.ID}, nil, false); status != 0 {
		writeErr(w, status, msg)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteGroupUser(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	g, u, ok := s.groupAndUser(w, params)
	if !ok {
		return
	}
	s.changeGroups(u, nil, []int64{g.ID}, false)
	w.WriteHeader(http.StatusNoContent)
}

type groupAccessPointJSON struct {
	AccessPoint         map[string]any `json:"accessPoint"`
	Schedule            map[string]any `json:"schedule"`
	PrivacyModeOverride bool           `json:"privacyModeOverride"`
}

func (s *Server) listGroupAccessPoints(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	g, ok := s.pathGroup(w, params)
	if !ok {
		return
	}
	out := []groupAccessPointJSON{}
	for _, apID := range g.AccessPointIDs {
		ap := s.aps[apID]
		out = append(out, groupAccessPointJSON{
			AccessPoint: map[string]any{"id": ap.ID, "name": ap.Name, "type": ap.Type},
			Schedule:    map[string]any{"id": 1, "name": "Always"},
		})
	}
	writeJSON(w, http.StatusOK, subList{Data: out, Count: len(out)})
}

func (s *Server) groupAndAP(w http.ResponseWriter, params map[string]string) (*Group, int64, bool) {
	g, ok := s.pathGroup(w, params)
	if !ok {
		return nil, 0, false
	}
	apID, ok := pathID(w, params, "ap")
	if !ok {
		return nil, 0, false
	}
	if s.aps[apID] == nil {
		writeErr(w, http.StatusNotFound, "Requested access point not found")
		return nil, 0, false
	}
	return g, apID, true
}

func (s *Server) putGroupAccessPoint(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	if g, apID, ok := s.groupAndAP(w, params); ok {
		s.setGroupAccessPoints(g, append(slices.Clone(g.AccessPointIDs), apID), false)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) deleteGroupAccessPoint(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	if g, apID, ok := s.groupAndAP(w, params); ok {
		rest := slices.DeleteFunc(slices.Clone(g.AccessPointIDs), func(id int64) bool { return id == apID })
		s.setGroupAccessPoints(g, rest, false)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) listSites(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var out []Site
	for _, id := range sortedKeys(s.sites) {
		out = append(out, *s.sites[id])
	}
	writePage(w, r, out)
}

func (s *Server) getSite(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	id, ok := pathID(w, params, "id")
	if !ok {
		return
	}
	if site := s.sites[id]; site != nil {
		writeJSON(w, http.StatusOK, site)
		return
	}
	writeErr(w, http.StatusNotFound, "Requested site not found")
}

func (s *Server) listSiteAccessPoints(w http.ResponseWriter, r *http.Request, params map[string]string) {
	id, ok := pathID(w, params, "id")
	if !ok {
		return
	}
	if s.sites[id] == nil {
		writeErr(w, http.StatusNotFound, "Requested site not found")
		return
	}
	s.writeAccessPoints(w, r, func(ap *AccessPoint) bool { return ap.SiteID == id })
}

func (s *Server) listAccessPoints(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	s.writeAccessPoints(w, r, func(*AccessPoint) bool { return true })
}

func (s *Server) writeAccessPoints(w http.ResponseWriter, r *http.Request, keep func(*AccessPoint) bool) {
	var out []AccessPoint
	for _, id := range sortedKeys(s.aps) {
		if ap := s.aps[id]; keep(ap) {
			out = append(out, *ap)
		}
	}
	writePage(w, r, out)
}

func (s *Server) getAccessPoint(w http.ResponseWriter, _ *http.Request, params map[string]string) {
	id, ok := pathID(w, params, "id")
	if !ok {
		return
	}
	if ap := s.aps[id]; ap != nil {
		writeJSON(w, http.StatusOK, ap)
		return
	}
	writeErr(w, http.StatusNotFound, "Requested access point not found")
}
