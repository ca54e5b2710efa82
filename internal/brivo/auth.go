package brivo

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// apiKeyTransport adds the api-key header Brivo's gateway requires on
// every token and API call.
type apiKeyTransport struct {
	key  string
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *apiKeyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("api-key", t.key)
	return t.next.RoundTrip(r)
}

// tokenSource holds the current access token. It refreshes ahead of expiry
// (within min(10 s, lifetime/2) of it, so a 1 s token works), refreshes when
// told the token was refused, and falls back to a fresh password grant when
// the refresh grant fails. Token requests go through golang.org/x/oauth2.
type tokenSource struct {
	cfg      *oauth2.Config
	username string
	password string
	hc       *http.Client
	logger   *slog.Logger

	mu        sync.Mutex
	tok       *oauth2.Token
	refreshAt time.Time
}

func newTokenSource(tokenURL string, creds Credentials, hc *http.Client, logger *slog.Logger) *tokenSource {
	return &tokenSource{
		cfg: &oauth2.Config{
			ClientID:     creds.ClientID,
			ClientSecret: creds.ClientSecret,
			Endpoint:     oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader},
		},
		username: creds.Username,
		password: creds.Password,
		hc:       hc,
		logger:   logger,
	}
}

// token returns a usable access token, fetching one when needed.
func (ts *tokenSource) token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := time.Now()
	if ts.tok != nil && now.Before(ts.refreshAt) {
		return ts.tok.AccessToken, nil
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, ts.hc)
	var fresh *oauth2.Token
	if ts.tok != nil && ts.tok.RefreshToken != "" {
		t, err := ts.cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: ts.tok.RefreshToken}).Token()
		if err == nil {
			fresh = t
		} else {
			ts.logger.Info("brivo: token refresh failed; requesting a new token with the password grant",
				"reason", tokenError(err).Error())
		}
	}
	if fresh == nil {
		t, err := ts.cfg.PasswordCredentialsToken(ctx, ts.username, ts.password)
		if err != nil {
			return "", tokenError(err)
		}
		fresh = t
	}
	lifetime := time.Duration(fresh.ExpiresIn) * time.Second
	if lifetime <= 0 && !fresh.Expiry.IsZero() {
		lifetime = fresh.Expiry.Sub(now)
	}
	if lifetime <= 0 {
		lifetime = time.Minute // no expiry given: assume short-lived
	}
	ts.tok = fresh
	ts.refreshAt = now.Add(lifetime - min(10*time.Second, lifetime/2))
	ts.logger.Debug("brivo: obtained access token", "lifetime", lifetime)
	return fresh.AccessToken, nil
}

// invalidate forces the next token call to refresh, unless the refused
// token was already replaced by another caller.
func (ts *tokenSource) invalidate(refused string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok != nil && ts.tok.AccessToken == refused {
		ts.refreshAt = time.Time{}
	}
}

// CheckAuth fetches a fresh token with the password grant and reports
// whether the credentials work; its error names the variables to check.
func (c *Client) CheckAuth(ctx context.Context) error {
	c.auth.mu.Lock()
	c.auth.tok = nil
	c.auth.mu.Unlock()
	_, err := c.auth.token(ctx)
	return err
}

// tokenError turns a token endpoint failure into a typed error that says
// which configuration to check.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return &TransportError{Method: http.MethodPost, Path: "/oauth/token", Err: scrubURLError(err)}
	}
	e := newErrorResponse(re.Response.StatusCode, re.Response.Header, re.Body, http.MethodPost, "/oauth/token")
	switch {
	case e.Retryable, e.StatusCode == http.StatusForbidden:
		// gateway answers: over-qps (retryable) or Developer Inactive (already says what to check)
	case re.ErrorCode == "invalid_client" || e.OAuthError == "invalid_client":
		e.Message = "client credentials refused (invalid_client): check BRIVO_CLIENT_ID/BRIVO_CLIENT_SECRET"
	case re.ErrorCode == "invalid_grant" || e.OAuthError == "invalid_grant" || e.StatusCode == http.StatusUnauthorized:
		e.Message = "password grant refused (" + e.Message + "): check BRIVO_USERNAME/BRIVO_PASSWORD, and BRIVO_CLIENT_ID/BRIVO_CLIENT_SECRET"
	}
	return e
}
