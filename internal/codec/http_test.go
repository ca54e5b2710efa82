package codec

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// post sends payloads the way the temporal CLI and the Web UI do: a JSON
// Payloads object, base64 data and metadata.
func post(t *testing.T, url string, payloads []*commonpb.Payload) []*commonpb.Payload {
	t.Helper()
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: payloads})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", "default")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s: %s", url, resp.Status, raw)
	}
	var out commonpb.Payloads
	if err := protojson.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response %s: %v", raw, err)
	}
	return out.Payloads
}

func TestHTTPHandlerEncodesAndDecodes(t *testing.T) {
	c := newTestCodec(t)
	srv := httptest.NewServer(NewHTTPHandler(c))
	defer srv.Close()

	in := jsonPayload(t, map[string]string{"email": "jane@example.com"})
	enc := post(t, srv.URL+"/encode", []*commonpb.Payload{in})
	if len(enc) != 1 || string(enc[0].Metadata[converter.MetadataEncoding]) != MetadataEncodingEncrypted {
		t.Fatalf("encode answered %v", enc)
	}
	dec := post(t, srv.URL+"/decode", enc)
	if len(dec) != 1 || !proto.Equal(dec[0], in) {
		t.Fatalf("decode answered %v, want %v", dec, in)
	}
	// The handler decodes what the worker's data converter wrote.
	p, _ := DataConverter(c).ToPayload("Jane Resident")
	dec = post(t, srv.URL+"/some/prefix/decode", []*commonpb.Payload{p})
	var s string
	if err := json.Unmarshal(dec[0].Data, &s); err != nil || s != "Jane Resident" {
		t.Fatalf("decoded %q (%v)", dec[0].Data, err)
	}
}

func TestHTTPHandlerRejectsWrongKeyWithoutLeakingKey(t *testing.T) {
	key := newKey(t)
	c, _ := NewCodec(key)
	other := newTestCodec(t)
	srv := httptest.NewServer(NewHTTPHandler(c))
	defer srv.Close()
	enc, _ := other.Encode([]*commonpb.Payload{jsonPayload(t, "x")})
	body, _ := protojson.Marshal(&commonpb.Payloads{Payloads: enc})
	resp, err := http.Post(srv.URL+"/decode", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
	if strings.Contains(string(raw), key) {
		t.Error("error body contains the key")
	}
}

func TestHTTPHandlerCORS(t *testing.T) {
	srv := httptest.NewServer(NewHTTPHandler(newTestCodec(t), "http://ui.example:8080"))
	defer srv.Close()
	tests := []struct {
		name, method, origin string
		wantStatus           int
		wantAllowOrigin      string
	}{
		{"preflight from allowed origin", http.MethodOptions, "http://ui.example:8080", http.StatusNoContent, "http://ui.example:8080"},
		{"preflight from other origin", http.MethodOptions, "http://evil.example", http.StatusNoContent, ""},
		{"GET is not served", http.MethodGet, "http://ui.example:8080", http.StatusNotFound, "http://ui.example:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+"/decode", nil)
			req.Header.Set("Origin", tt.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			h := resp.Header
			if got := h.Get("Access-Control-Allow-Origin"); got != tt.wantAllowOrigin {
				t.Errorf("Allow-Origin = %q, want %q", got, tt.wantAllowOrigin)
			}
			if tt.wantAllowOrigin == "" {
				return
			}
			if got := h.Get("Access-Control-Allow-Headers"); got != "content-type,x-namespace,authorization" {
				t.Errorf("Allow-Headers = %q", got)
			}
			if got := h.Get("Access-Control-Allow-Methods"); !strings.Contains(got, "POST") {
				t.Errorf("Allow-Methods = %q", got)
			}
		})
	}
}

func TestHTTPHandlerWildcardOriginWithoutCredentials(t *testing.T) {
	h := NewHTTPHandler(newTestCodec(t), "*")
	req := httptest.NewRequest(http.MethodOptions, "/decode", nil)
	req.Header.Set("Origin", "http://anything.example")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "http://anything.example" {
		t.Errorf("Allow-Origin = %q", got)
	}
	if got := rec.Header().Get("Access-Control-Allow-Credentials"); got != "" {
		t.Errorf("Allow-Credentials = %q for wildcard, want none", got)
	}
}
