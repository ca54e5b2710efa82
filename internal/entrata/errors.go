package entrata

import (
	"errors"
	"fmt"
	"time"
)

// ErrorResponse is a failure Entrata reported: an error envelope
// (response.error, whatever the HTTP status, even 200) or a non-success HTTP
// status without one.
type ErrorResponse struct {
	HTTPStatus int    // HTTP status of the response
	Code       int    // response.error.code, 0 when the body had no envelope
	Message    string // response.error.message, with any secret redacted
	Service    string // e.g. "leases"
	Method     string // e.g. "getLeases"
	RequestID  string // the requestId echoed by Entrata
}

// Error implements error.
func (e *ErrorResponse) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "no error message"
	}
	return fmt.Sprintf("entrata %s/%s: HTTP %d, code %d: %s", e.Service, e.Method, e.HTTPStatus, e.Code, msg)
}

// Retryable reports whether trying again later may succeed: server errors
// (HTTP 5xx, or an envelope code in 500..599) and HTTP 408.
func (e *ErrorResponse) Retryable() bool {
	return e.HTTPStatus >= 500 || e.HTTPStatus == 408 || (e.Code >= 500 && e.Code <= 599)
}

// RateLimitError says a service's quota is used up: Entrata answered 429, or
// the last response showed a window with no calls left. RetryAfter says
// when to call again.
type RateLimitError struct {
	RetryAfter time.Duration
	Service    string
	Method     string
	RateLimit  RateLimit // the quota as last reported, when known
}

// Error implements error.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("entrata %s/%s: rate limit exhausted, retry in %s", e.Service, e.Method, e.RetryAfter)
}

// AuthError is a permanent authentication or authorization failure (HTTP
// 401/403 or an envelope saying so). Its message names the credential to
// check, never its value.
type AuthError struct {
	HTTPStatus int
	Service    string
	Method     string
	AuthType   string         // "apikey" or "basic"
	Response   *ErrorResponse // the envelope, when the body carried one
}

// Error implements error.
func (e *AuthError) Error() string {
	check := "ENTRATA_API_KEY"
	if e.AuthType == authBasic {
		check = "ENTRATA_USERNAME/ENTRATA_PASSWORD"
	}
	msg := fmt.Sprintf("entrata %s/%s: authentication failed (HTTP %d): check %s and that the API user may call this method",
		e.Service, e.Method, e.HTTPStatus, check)
	if e.Response != nil && e.Response.Message != "" {
		msg += ": " + e.Response.Message
	}
	return msg
}

// Unwrap exposes the envelope so errors.As finds *ErrorResponse too.
func (e *AuthError) Unwrap() error {
	if e.Response == nil {
		return nil
	}
	return e.Response
}

// TransportError is a failure to reach Entrata or to read its answer
// (connection refused, reset, timeout, truncated body). It is retryable.
type TransportError struct {
	Service string
	Method  string
	Err     error
}

// Error implements error.
func (e *TransportError) Error() string {
	return fmt.Sprintf("entrata %s/%s: transport: %v", e.Service, e.Method, e.Err)
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// DecodeError is a response body that is not the JSON Entrata sends (an
// HTML error page from a proxy, a truncated envelope, a missing result).
// It is neither retryable nor permanent: callers decide.
type DecodeError struct {
	Service    string
	Method     string
	HTTPStatus int
	Reason     string
}

// Error implements error.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("entrata %s/%s: HTTP %d: undecodable response: %s", e.Service, e.Method, e.HTTPStatus, e.Reason)
}

// IsRetryable reports whether err is worth retrying later: a rate limit,
// a server error (5xx) or a transport failure.
func IsRetryable(err error) bool {
	var rl *RateLimitError
	var tr *TransportError
	var er *ErrorResponse
	var ae *AuthError
	switch {
	case errors.As(err, &ae):
		return false
	case errors.As(err, &rl), errors.As(err, &tr):
		return true
	case errors.As(err, &er):
		return er.Retryable()
	}
	return false
}

// IsPermanent reports whether err will not go away by retrying: an
// authentication failure, or an Entrata error that is not a server error
// (bad parameter, unknown method).
func IsPermanent(err error) bool {
	var ae *AuthError
	var rl *RateLimitError
	var er *ErrorResponse
	switch {
	case errors.As(err, &ae):
		return true
	case errors.As(err, &rl):
		return false
	case errors.As(err, &er):
		return !er.Retryable()
	}
	return false
}

// RetryAfter returns how long to wait before retrying when err is a rate
// limit.
func RetryAfter(err error) (time.Duration, bool) {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return rl.RetryAfter, true
	}
	return 0, false
}

// outcome classifies err for the call observer.
func outcome(err error) string {
	var rl *RateLimitError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &rl):
		return "rate_limited"
	case IsRetryable(err):
		return "retryable"
	case IsPermanent(err):
		return "permanent"
	}
	return "error"
}
