package codec

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

func newKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func newTestCodec(t *testing.T) *Codec {
	t.Helper()
	c, err := NewCodec(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func jsonPayload(t *testing.T, v any) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNewCodecRejectsBadKeys(t *testing.T) {
	secretish := "not-base64-!!-hunter2"
	tests := []struct {
		name, key, want string
	}{
		{"empty", "", "decodes to 0 bytes"},
		{"not base64", secretish, "not valid base64"},
		{"16 bytes", base64.StdEncoding.EncodeToString(make([]byte, 16)), "decodes to 16 bytes"},
		{"33 bytes", base64.StdEncoding.EncodeToString(make([]byte, 33)), "decodes to 33 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCodec(tt.key)
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("err = %v, want ErrInvalidKey", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
			if tt.key != "" && strings.Contains(err.Error(), tt.key) {
				t.Errorf("error echoes the key: %q", err)
			}
		})
	}
}

func TestDecodeKeyAcceptsEveryBase64Alphabet(t *testing.T) {
	raw := bytes.Repeat([]byte{0xfb, 0xff, 0x01}, 11)[:KeySize]
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		got, err := DecodeKey(" " + enc.EncodeToString(raw) + "\n")
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("DecodeKey(%q) = %x, %v", enc.EncodeToString(raw), got, err)
		}
	}
}

func TestRoundTripHidesPlaintext(t *testing.T) {
	c := newTestCodec(t)
	in := []*commonpb.Payload{
		jsonPayload(t, map[string]string{"name": "Jane Resident", "email": "jane@example.com"}),
		jsonPayload(t, nil),
		jsonPayload(t, []byte("raw bytes")),
	}
	enc, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range enc {
		if got := string(p.Metadata[converter.MetadataEncoding]); got != MetadataEncodingEncrypted {
			t.Errorf("payload %d encoding = %q", i, got)
		}
		if got := string(p.Metadata[MetadataKeyID]); got != c.KeyID() {
			t.Errorf("payload %d key id = %q, want %q", i, got, c.KeyID())
		}
		for _, clear := range []string{"Jane", "jane@example.com", "json/plain", "raw bytes"} {
			if bytes.Contains(p.Data, []byte(clear)) {
				t.Errorf("payload %d carries %q in clear text", i, clear)
			}
		}
	}
	dec, err := c.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !proto.Equal(in[i], dec[i]) {
			t.Errorf("payload %d: got %v, want %v", i, dec[i], in[i])
		}
	}
	// Two encryptions of the same payload differ (fresh nonce each time).
	again, _ := c.Encode(in[:1])
	if bytes.Equal(again[0].Data, enc[0].Data) {
		t.Error("same ciphertext twice: nonce reused")
	}
}

func TestDecodeDetectsTampering(t *testing.T) {
	c := newTestCodec(t)
	enc, err := c.Encode([]*commonpb.Payload{jsonPayload(t, "secret")})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(p *commonpb.Payload)
		want   string
	}{
		{"flipped ciphertext byte", func(p *commonpb.Payload) { p.Data[len(p.Data)-1] ^= 1 }, "failed authentication"},
		{"flipped nonce byte", func(p *commonpb.Payload) { p.Data[0] ^= 1 }, "failed authentication"},
		{"truncated", func(p *commonpb.Payload) { p.Data = p.Data[:5] }, "too short"},
		{"key id swapped", func(p *commonpb.Payload) { p.Metadata[MetadataKeyID] = []byte("0000") }, "different key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := proto.Clone(enc[0]).(*commonpb.Payload)
			tt.mutate(p)
			_, err := c.Decode([]*commonpb.Payload{p})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDecodeWithWrongKeyFails(t *testing.T) {
	a, b := newTestCodec(t), newTestCodec(t)
	enc, err := a.Encode([]*commonpb.Payload{jsonPayload(t, "x")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Decode(enc); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("err = %v, want ErrKeyMismatch", err)
	}
	// Even if the key id is forged to match, authentication fails.
	enc[0].Metadata[MetadataKeyID] = []byte(b.KeyID())
	if _, err := b.Decode(enc); err == nil || !strings.Contains(err.Error(), "failed authentication") {
		t.Fatalf("err = %v, want authentication failure", err)
	}
}

func TestDecodePassesUnencryptedPayloadsThrough(t *testing.T) {
	c := newTestCodec(t)
	plain := jsonPayload(t, map[string]int{"n": 1})
	odd := &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte("binary/zlib")}, Data: []byte{1, 2}}
	out, err := c.Decode([]*commonpb.Payload{plain, odd})
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != plain || out[1] != odd {
		t.Errorf("unencrypted payloads were changed: %v", out)
	}
}

func TestDataConverterRoundTrip(t *testing.T) {
	dc := DataConverter(newTestCodec(t))
	type resident struct{ Name, Email string }
	in := resident{"Jane Resident", "jane@example.com"}
	p, err := dc.ToPayload(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Data, []byte("jane@example.com")) {
		t.Fatal("data converter wrote clear text")
	}
	var out resident
	if err := dc.FromPayload(p, &out); err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Errorf("got %+v, want %+v", out, in)
	}
}

// BenchmarkEncodeDecode measures one 4 KiB payload (a large plan diff)
// through encryption and back.
func BenchmarkEncodeDecode(b *testing.B) {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, KeySize))
	c, err := NewCodec(key)
	if err != nil {
		b.Fatal(err)
	}
	p := &commonpb.Payload{
		Metadata: map[string][]byte{converter.MetadataEncoding: []byte(converter.MetadataEncodingJSON)},
		Data:     bytes.Repeat([]byte("x"), 4096),
	}
	b.SetBytes(int64(len(p.Data)))
	b.ReportAllocs()
	for b.Loop() {
		enc, err := c.Encode([]*commonpb.Payload{p})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}
