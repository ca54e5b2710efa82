package codec

import (
	"net/http"
	"slices"

	"go.temporal.io/sdk/converter"
)

// DefaultAllowOrigins are the Web UI origins of the local dev server, used
// when NewHTTPHandler gets none.
var DefaultAllowOrigins = []string{"http://localhost:8233", "http://127.0.0.1:8233"}

// NewHTTPHandler serves the remote codec protocol (POST <prefix>/encode and
// POST <prefix>/decode with a JSON Payloads body) that `temporal
// --codec-endpoint` and the Web UI call. The Web UI calls it from the
// browser, so the handler answers CORS preflight for allowOrigins ("*"
// allows any origin; none means DefaultAllowOrigins).
//
// Anyone who can reach this endpoint can decrypt payloads: bind it to
// loopback or put it behind authentication.
func NewHTTPHandler(c *Codec, allowOrigins ...string) http.Handler {
	if len(allowOrigins) == 0 {
		allowOrigins = DefaultAllowOrigins
	}
	return &corsHandler{next: converter.NewPayloadCodecHTTPHandler(c), origins: allowOrigins}
}

type corsHandler struct {
	next    http.Handler
	origins []string
}

func (h *corsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if origin := r.Header.Get("Origin"); origin != "" && h.allowed(origin) {
		hdr := w.Header()
		hdr.Set("Access-Control-Allow-Origin", origin)
		if slices.Contains(h.origins, origin) {
			// Credentials only for origins named explicitly, never for "*".
			hdr.Set("Access-Control-Allow-Credentials", "true")
		}
		hdr.Set("Access-Control-Allow-Headers", "content-type,x-namespace,authorization")
		hdr.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		hdr.Add("Vary", "Origin")
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h.next.ServeHTTP(w, r)
}

func (h *corsHandler) allowed(origin string) bool {
	return slices.Contains(h.origins, "*") || slices.Contains(h.origins, origin)
}
