package brivosim

import (
	"crypto/rand"
	"encoding/hex"
	"mime"
	"net/http"
	"strings"
	"time"
)

type authState struct {
	access  map[string]time.Time // access token -> expiry
	refresh map[string]bool      // live refresh tokens
	grants  map[string]int       // grant_type -> successful grants
}

func newAuthState() authState {
	return authState{access: map[string]time.Time{}, refresh: map[string]bool{}, grants: map[string]int{}}
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// serveToken is POST /oauth/token: form-encoded password and refresh_token
// grants, client credentials in Basic auth, api-key header required.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.ops.count(r.Method + " /oauth/token")
	s.mu.Unlock()
	if !s.checkAPIKey(w, r) {
		return
	}
	if s.applyFault(w, r, r.URL.Path) {
		return
	}
	if r.Method != http.MethodPost {
		writeHTML(w, 596, "<h1>596 Service Not Found</h1>")
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "Token requests must be application/x-www-form-urlencoded"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok || id != s.opts.ClientID || secret != s.opts.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "Bad client credentials"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "Malformed form body"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	grant := r.PostForm.Get("grant_type")
	refresh := ""
	switch grant {
	case "password":
		if r.PostForm.Get("username") != s.opts.Username || r.PostForm.Get("password") != s.opts.Password {
			writeJSON(w, http.StatusBadRequest, oauthError{"invalid_grant", "Bad credentials"})
			return
		}
		refresh = randomToken()
		s.auth.refresh[refresh] = true
	case "refresh_token":
		refresh = r.PostForm.Get("refresh_token")
		if !s.auth.refresh[refresh] {
			writeJSON(w, http.StatusBadRequest, oauthError{"invalid_grant", "Invalid refresh token"})
			return
		}
	default:
		writeJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "Unsupported grant type"})
		return
	}
	s.auth.grants[grant]++
	now := s.now()
	for tok, exp := range s.auth.access {
		if !now.Before(exp) {
			delete(s.auth.access, tok)
		}
	}
	access := randomToken()
	s.auth.access[access] = now.Add(s.opts.TokenLifetime)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "token_type": "bearer", "refresh_token": refresh,
		"expires_in": int(s.opts.TokenLifetime / time.Second), "scope": "brivo.api",
		"jti": randomToken()[:32],
	})
}

// checkBearer validates the Authorization header; the lock is held.
func (s *Server) checkBearer(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || tok == "" {
		writeJSON(w, http.StatusUnauthorized, oauthError{"unauthorized", "Full authentication is required to access this resource"})
		return false
	}
	exp, known := s.auth.access[tok]
	if !known {
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_token", "Invalid access token"})
		return false
	}
	if !s.now().Before(exp) {
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_token", "Access token expired"})
		return false
	}
	return true
}

// ExpireTokens makes every access token issued so far expire now; refresh
// tokens keep working.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tok := range s.auth.access {
		s.auth.access[tok] = time.Time{}
	}
}

// RevokeRefreshTokens makes every refresh token issued so far invalid, so
// a client must fall back to a fresh password grant.
func (s *Server) RevokeRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.auth.refresh)
}

// TokenGrants counts successful token grants by grant_type.
func (s *Server) TokenGrants() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.auth.grants {
		out[k] = v
	}
	return out
}
