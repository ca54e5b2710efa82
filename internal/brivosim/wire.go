package brivosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// apiError is Brivo's {code,message} error body.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// oauthError is the OAuth server's error body.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// isoTime marshals as UTC ISO-8601 to the second, as Brivo answers.
type isoTime time.Time

func (t isoTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(formatTime(time.Time(t)))
}

func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

func isoPtr(t *time.Time) *isoTime {
	if t == nil {
		return nil
	}
	v := isoTime(*t)
	return &v
}

// parseTime accepts ISO-8601 with an offset or Z, with or without fractions.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q", s)
	}
	return t.UTC(), nil
}

// listEnvelope is Brivo's paged list shape.
type listEnvelope struct {
	Data     any `json:"data"`
	Offset   int `json:"offset"`
	PageSize int `json:"pageSize"`
	Count    int `json:"count"`
}

// subList is the {data,count} shape some sub-lists use.
type subList struct {
	Data  any `json:"data"`
	Count int `json:"count"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeHTML(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func writeErr(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Code: status, Message: msg})
}

func writeOverQps(w http.ResponseWriter, retryAfter time.Duration) {
	w.Header().Set("Retry-After", retryAfterValue(retryAfter))
	writeHTML(w, http.StatusForbidden, "<h1>Developer Over Qps</h1>")
}

func retryAfterValue(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return strconv.Itoa(secs)
}

// page applies offset/pageSize (default 20, capped at 100) to items.
func page[T any](r *http.Request, items []T) (listEnvelope, error) {
	offset, size := 0, 20
	if v := r.URL.Query().Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return listEnvelope{}, fmt.Errorf("invalid offset")
		}
		offset = n
	}
	if v := r.URL.Query().Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return listEnvelope{}, fmt.Errorf("invalid pageSize")
		}
		size = min(n, 100)
	}
	out := []T{}
	if offset < len(items) {
		out = items[offset:min(len(items), offset+size)]
	}
	return listEnvelope{Data: out, Offset: offset, PageSize: size, Count: len(items)}, nil
}

func writePage[T any](w http.ResponseWriter, r *http.Request, items []T) {
	env, err := page(r, items)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, env)
}

func pathID(w http.ResponseWriter, params map[string]string, key string) (int64, bool) {
	id, err := strconv.ParseInt(params[key], 10, 64)
	if err != nil {
		writeErr(w, http.StatusBadRequest, "invalid id in path")
		return 0, false
	}
	return id, true
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeErr(w, http.StatusBadRequest, "Malformed JSON body")
		return false
	}
	return true
}
