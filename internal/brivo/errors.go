package brivo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors, matched with errors.Is against an *ErrorResponse.
var (
	// ErrNotFound matches a 404.
	ErrNotFound = errors.New("brivo: not found")
	// ErrConflict matches a 409 (e.g. externalId already in use).
	ErrConflict = errors.New("brivo: conflict")
	// ErrNoPassesLeft matches a 412 on a digital invitation: the account's
	// mobile-pass allotment is used up; buy passes or free some.
	ErrNoPassesLeft = errors.New("brivo: no mobile passes left in the account allotment")
)

// ErrorResponse is any non-success answer from Brivo or its OAuth server.
// Message never holds secrets; e-mail addresses Brivo echoes are redacted.
type ErrorResponse struct {
	StatusCode int    // HTTP status
	Code       int    // Brivo's "code", when the body had one
	Message    string // Brivo's message, OAuth description or gateway text
	OAuthError string // OAuth "error" value, for token failures
	Method     string
	Path       string // request path without the query
	// RetryAfter is the server's Retry-After (1 s for over-qps when absent).
	RetryAfter time.Duration
	// Retryable is true for 403 Developer Over Qps/Over Rate, 408, 429 and
	// 5xx other than 596; everything else is permanent.
	Retryable bool
}

// Error implements error.
func (e *ErrorResponse) Error() string {
	s := fmt.Sprintf("brivo: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Is matches the sentinel errors by status.
func (e *ErrorResponse) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrNoPassesLeft:
		return e.StatusCode == http.StatusPreconditionFailed
	}
	return false
}

// GroupLimitError reports that a change would put a user in more than 16
// groups; Brivo changed nothing. It is permanent.
type GroupLimitError struct {
	UserID int64
	Err    *ErrorResponse
}

// Error implements error.
func (e *GroupLimitError) Error() string {
	return fmt.Sprintf("brivo: user %d cannot be a member of more than 16 groups (nothing changed): %v", e.UserID, e.Err)
}

// Unwrap returns the underlying response error.
func (e *GroupLimitError) Unwrap() error { return e.Err }

// TransportError is a failure to get any answer (connection, timeout,
// cancelled context).
type TransportError struct {
	Method, Path string
	Err          error
}

// Error implements error.
func (e *TransportError) Error() string {
	return fmt.Sprintf("brivo: %s %s: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// IsRetryable reports whether trying again later may succeed: a retryable
// *ErrorResponse or a transport failure (timeouts included), but not a
// cancelled context.
func IsRetryable(err error) bool {
	var er *ErrorResponse
	var te *TransportError
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return false
	case errors.As(err, &er):
		return er.Retryable
	case errors.As(err, &te):
		return true
	}
	return false
}

// IsPermanent reports whether the error will not go away by retrying: a
// non-retryable *ErrorResponse (bad key, 596, validation, 16-group limit).
func IsPermanent(err error) bool {
	var er *ErrorResponse
	return errors.As(err, &er) && !er.Retryable
}

// gatewayThrottle reports whether err is the gateway refusing the account's
// rate (403 Developer Over Qps/Over Rate, or 429), and how long to hold
// every call: the Retry-After, or 1 s without one.
func gatewayThrottle(err error) (time.Duration, bool) {
	var er *ErrorResponse
	if !errors.As(err, &er) || !er.Retryable ||
		(er.StatusCode != http.StatusForbidden && er.StatusCode != http.StatusTooManyRequests) {
		return 0, false
	}
	return max(er.RetryAfter, time.Second), true
}

// RetryAfter returns the server's requested wait, if it gave one.
func RetryAfter(err error) (time.Duration, bool) {
	var er *ErrorResponse
	if errors.As(err, &er) && er.RetryAfter > 0 {
		return er.RetryAfter, true
	}
	return 0, false
}

// checkResponse returns nil for 2xx and a typed error otherwise.
func checkResponse(resp *http.Response, method, path string) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := newErrorResponse(resp.StatusCode, resp.Header, body, method, path)
	if e.StatusCode == http.StatusBadRequest && strings.Contains(e.Message, "more than 16 groups") {
		return &GroupLimitError{UserID: userIDFromPath(path), Err: e}
	}
	return e
}

var h1 = regexp.MustCompile(`(?is)<h1>(.*?)</h1>`)

// newErrorResponse classifies a failed answer from its status and body.
func newErrorResponse(status int, header http.Header, body []byte, method, path string) *ErrorResponse {
	e := &ErrorResponse{StatusCode: status, Method: method, Path: path}
	var b struct {
		Code        int    `json:"code"`
		Message     string `json:"message"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &b) == nil {
		e.Code, e.Message, e.OAuthError = b.Code, b.Message, b.Error
		if e.Message == "" {
			e.Message = strings.TrimSpace(b.Error + " " + b.Description)
		}
	} else if m := h1.FindSubmatch(body); m != nil {
		e.Message = strings.TrimSpace(string(m[1]))
	}
	e.Message = redact(e.Message)
	e.RetryAfter = parseRetryAfter(header.Get("Retry-After"))
	switch {
	case status == http.StatusForbidden && strings.Contains(e.Message, "Developer Inactive"):
		e.Message = "Developer Inactive: the api-key was refused; check BRIVO_API_KEY"
	case status == http.StatusForbidden && (strings.Contains(e.Message, "Over Qps") || strings.Contains(e.Message, "Over Rate")):
		e.Retryable = true
		if e.RetryAfter == 0 {
			e.RetryAfter = time.Second
		}
	case status == 596:
		e.Message = "wrong verb (bug): 596 Service Not Found"
	case status == http.StatusUnauthorized:
		e.Message += " (token refused after a refresh: check BRIVO_CLIENT_ID/BRIVO_CLIENT_SECRET and BRIVO_USERNAME/BRIVO_PASSWORD)"
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500 && status < 596:
		e.Retryable = true
	}
	return e
}

var emailRE = regexp.MustCompile(`[^\s"'<>@]+@[^\s"'<>@]+`)

// redact removes e-mail addresses and caps the length of a server message,
// so personal data Brivo echoes does not reach logs.
func redact(msg string) string {
	msg = emailRE.ReplaceAllString(msg, "[redacted]")
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return msg
}

func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// userIDFromPath finds the user id in /.../users/{id}/... or
// /.../groups/{g}/users/{id}.
func userIDFromPath(path string) int64 {
	segs := strings.Split(path, "/")
	for i := len(segs) - 2; i >= 0; i-- {
		if segs[i] == "users" {
			if id, err := strconv.ParseInt(segs[i+1], 10, 64); err == nil {
				return id
			}
		}
	}
	return 0
}

// scrubURLError drops the query from a *url.Error's URL: filters may hold
// names.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}
