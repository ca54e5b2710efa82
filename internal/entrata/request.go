package entrata

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Response is what every call reports besides its result: the HTTP status,
// Entrata's echoed requestId, the service's remaining quota and, for paged
// methods, X-Total-Count (0 when the header is absent).
type Response struct {
	HTTPStatus int
	RequestID  string
	RateLimit  RateLimit
	TotalCount int
}

// call is one Entrata method invocation.
type call struct {
	service string // URL segment: "leases"
	method  string // method.name: "getLeases"
	version string // method.version: "r1", "r2"
	params  map[string]string
	query   url.Values // page_no / per_page
}

type requestBody struct {
	Auth      requestAuth   `json:"auth"`
	RequestID string        `json:"requestId"`
	Method    requestMethod `json:"method"`
}

type requestAuth struct {
	Type string `json:"type"`
}

type requestMethod struct {
	Name    string            `json:"name"`
	Version string            `json:"version"`
	Params  map[string]string `json:"params"`
}

// newRequest builds the POST for cl, with the auth the client was
// configured for.
func (c *Client) newRequest(ctx context.Context, cl call) (*http.Request, error) {
	u := *c.baseURL
	u.Path = c.baseURL.Path + "/" + cl.service
	u.RawQuery = cl.query.Encode()
	params := cl.params
	if params == nil {
		params = map[string]string{}
	}
	body, err := json.Marshal(requestBody{
		Auth:      requestAuth{Type: c.authType},
		RequestID: strconv.FormatUint(c.requestSeq.Add(1), 10),
		Method:    requestMethod{Name: cl.method, Version: cl.version, Params: params},
	})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.authType == authAPIKey {
		req.Header.Set("X-Api-Key", c.apiKey)
	} else {
		req.SetBasicAuth(c.username, c.password)
	}
	return req, nil
}

// do sends cl and returns its response.result, checked by checkResponse.
// The *Response is returned whenever an HTTP response arrived.
func (c *Client) do(ctx context.Context, cl call) (result json.RawMessage, resp *Response, err error) {
	start := time.Now()
	defer func() {
		c.observe(ctx, cl, resp, err, time.Since(start))
	}()
	if wait, ok := c.blockedFor(cl.service); ok {
		return nil, nil, &RateLimitError{RetryAfter: wait, Service: cl.service, Method: cl.method}
	}
	req, err := c.newRequest(ctx, cl)
	if err != nil {
		return nil, nil, &TransportError{Service: cl.service, Method: cl.method, Err: err}
	}
	httpResp, err := c.httpClient.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, nil, ctxErr
		}
		return nil, nil, &TransportError{Service: cl.service, Method: cl.method, Err: stripURL(err)}
	}
	defer httpResp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(httpResp.Body, maxBodyBytes+1))
	resp = &Response{HTTPStatus: httpResp.StatusCode, RateLimit: parseRateLimit(httpResp.Header)}
	if n, err := strconv.Atoi(strings.TrimSpace(httpResp.Header.Get("X-Total-Count"))); err == nil {
		resp.TotalCount = n
	}
	c.remember(cl.service, resp.RateLimit)
	if readErr != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, resp, ctxErr
		}
		return nil, resp, &TransportError{Service: cl.service, Method: cl.method, Err: stripURL(readErr)}
	}
	if len(body) > maxBodyBytes {
		return nil, resp, &DecodeError{Service: cl.service, Method: cl.method, HTTPStatus: resp.HTTPStatus, Reason: "body larger than 64 MiB"}
	}
	result, err = c.checkResponse(cl, httpResp, body, resp)
	return result, resp, err
}

// envelope is Entrata's response wrapper, decoded leniently.
type envelope struct {
	Response struct {
		RequestID flexString      `json:"requestId"`
		Code      flexString      `json:"code"`
		Result    json.RawMessage `json:"result"`
		Error     json.RawMessage `json:"error"`
	} `json:"response"`
}

// checkResponse turns every non-success into a typed error. response.error
// means failure whatever the HTTP status.
func (c *Client) checkResponse(cl call, hr *http.Response, body []byte, resp *Response) (json.RawMessage, error) {
	var env envelope
	envErr := json.Unmarshal(body, &env)
	resp.RequestID = string(env.Response.RequestID)
	var apiErr *ErrorResponse
	if envErr == nil && !isEmptyJSON(bytes.TrimSpace(env.Response.Error)) {
		apiErr = c.errorFromEnvelope(cl, resp, env.Response.Error)
	}
	status := hr.StatusCode
	if status == http.StatusTooManyRequests || (apiErr != nil && apiErr.Code == http.StatusTooManyRequests) {
		return nil, c.rateLimitError(cl, hr, resp)
	}
	if status == http.StatusUnauthorized || status == http.StatusForbidden ||
		(apiErr != nil && (apiErr.Code == http.StatusUnauthorized || apiErr.Code == http.StatusForbidden)) {
		return nil, &AuthError{HTTPStatus: status, Service: cl.service, Method: cl.method, AuthType: c.authType, Response: apiErr}
	}
	failed := apiErr != nil || status < 200 || status > 299
	if failed && resp.RateLimit.Exhausted() {
		return nil, c.rateLimitError(cl, hr, resp)
	}
	if apiErr != nil {
		return nil, apiErr
	}
	if failed {
		return nil, &ErrorResponse{HTTPStatus: status, Service: cl.service, Method: cl.method,
			RequestID: resp.RequestID, Message: http.StatusText(status)}
	}
	if envErr != nil {
		return nil, &DecodeError{Service: cl.service, Method: cl.method, HTTPStatus: status, Reason: "body is not an Entrata JSON envelope"}
	}
	// getLeases may answer an empty result for a property with no leases;
	// every other method must carry one.
	if isEmptyJSON(bytes.TrimSpace(env.Response.Result)) && cl.method != "getLeases" {
		return nil, &DecodeError{Service: cl.service, Method: cl.method, HTTPStatus: status, Reason: "response.result is missing"}
	}
	return env.Response.Result, nil
}

func (c *Client) errorFromEnvelope(cl call, resp *Response, raw json.RawMessage) *ErrorResponse {
	e := &ErrorResponse{HTTPStatus: resp.HTTPStatus, Service: cl.service, Method: cl.method, RequestID: resp.RequestID}
	if r, err := parseRecord(raw); err == nil {
		if n, ok, err := r.integer("code"); ok && err == nil {
			e.Code = n
		}
		e.Message, _ = r.str("message")
	} else {
		var s flexString
		if s.UnmarshalJSON(raw) == nil {
			e.Message = string(s)
		}
	}
	e.Message = c.redact(e.Message)
	return e
}

func (c *Client) rateLimitError(cl call, hr *http.Response, resp *Response) *RateLimitError {
	wait := resp.RateLimit.ResetIn()
	if ra, ok := retryAfterHeader(hr.Header.Get("Retry-After"), c.now()); ok && ra > wait {
		wait = ra
	}
	if wait <= 0 {
		wait = time.Minute // no hint at all: the shortest window Entrata uses
	}
	c.mu.Lock()
	c.blocked[cl.service] = c.now().Add(wait)
	c.mu.Unlock()
	return &RateLimitError{RetryAfter: wait, Service: cl.service, Method: cl.method, RateLimit: resp.RateLimit}
}

// remember records an exhausted quota so the next call to the service fails
// fast with a RateLimitError instead of spending a request on a 429.
func (c *Client) remember(service string, rl RateLimit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rl.Exhausted() {
		c.blocked[service] = c.now().Add(max(rl.ResetIn(), time.Second))
		return
	}
	if len(rl.Windows) > 0 {
		delete(c.blocked, service)
	}
}

func (c *Client) blockedFor(service string) (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	until, ok := c.blocked[service]
	if !ok {
		return 0, false
	}
	if wait := until.Sub(c.now()); wait > 0 {
		return wait, true
	}
	delete(c.blocked, service)
	return 0, false
}

func (c *Client) observe(ctx context.Context, cl call, resp *Response, err error, took time.Duration) {
	out := outcome(err)
	if c.observer != nil {
		c.observer(cl.service, cl.method, out)
	}
	attrs := []slog.Attr{
		slog.String("service", cl.service), slog.String("method", cl.method),
		slog.String("outcome", out), slog.Duration("took", took),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("http_status", resp.HTTPStatus),
			slog.String("request_id", resp.RequestID), slog.Int("quota_remaining", resp.RateLimit.Remaining()))
	}
	if err != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "entrata call failed", append(attrs, slog.String("error", err.Error()))...)
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "entrata call", attrs...)
}

// stripURL keeps the cause of a *url.Error without repeating the URL.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
