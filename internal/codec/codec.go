// Package codec encrypts Temporal payloads with AES-256-GCM so residents'
// names and e-mails never sit in workflow history in clear text, and serves
// the codec HTTP endpoint the Web UI and the temporal CLI use to show them
// decoded to operators who can reach it.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

const (
	// MetadataEncodingEncrypted is the payload "encoding" metadata value of
	// an encrypted payload.
	MetadataEncodingEncrypted = "binary/encrypted"
	// MetadataKeyID is the payload metadata key naming the key that
	// encrypted it (a fingerprint, never the key itself).
	MetadataKeyID = "encryption-key-id"
	// KeySize is the AES-256 key length in bytes.
	KeySize = 32
)

// ErrKeyMismatch reports a payload encrypted with a key other than the
// codec's. Use errors.Is.
var ErrKeyMismatch = errors.New("codec: payload encrypted with a different key")

// ErrInvalidKey reports a key that is not the base64 encoding of 32 bytes.
// Its message never contains the key.
var ErrInvalidKey = errors.New("codec: key must be the base64 encoding of 32 random bytes (e.g. openssl rand -base64 32)")

// Codec is a converter.PayloadCodec that seals every payload with
// AES-256-GCM. It is safe for concurrent use.
type Codec struct {
	aead  cipher.AEAD
	keyID string
}

var _ converter.PayloadCodec = (*Codec)(nil)

// DecodeKey decodes a base64 (standard or URL alphabet, padded or not)
// AES-256 key. Errors wrap ErrInvalidKey and never echo the input.
func DecodeKey(base64Key string) ([]byte, error) {
	s := strings.TrimSpace(base64Key)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		key, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("%w: decodes to %d bytes", ErrInvalidKey, len(key))
		}
		return key, nil
	}
	return nil, fmt.Errorf("%w: not valid base64", ErrInvalidKey)
}

// NewCodec returns a codec for a base64-encoded 32-byte key.
func NewCodec(base64Key string) (*Codec, error) {
	key, err := DecodeKey(base64Key)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("codec: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("codec: %w", err)
	}
	sum := sha256.Sum256(key)
	return &Codec{aead: aead, keyID: hex.EncodeToString(sum[:8])}, nil
}

// KeyID returns the key's fingerprint, recorded in every payload the codec
// encrypts. It identifies the key without revealing it.
func (c *Codec) KeyID() string { return c.keyID }

// Encode implements converter.PayloadCodec: each payload, metadata
// included, becomes one encrypted payload.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return payloads, fmt.Errorf("codec: marshal payload: %w", err)
		}
		nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return payloads, fmt.Errorf("codec: nonce: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(MetadataEncodingEncrypted),
				MetadataKeyID:              []byte(c.keyID),
			},
			Data: c.aead.Seal(nonce, nonce, plain, []byte(c.keyID)),
		}
	}
	return out, nil
}

// Decode implements converter.PayloadCodec. Payloads whose encoding is not
// MetadataEncodingEncrypted pass through untouched, so history written
// before encryption was turned on stays readable.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != MetadataEncodingEncrypted {
			out[i] = p
			continue
		}
		if id := string(p.GetMetadata()[MetadataKeyID]); id != c.keyID {
			return payloads, fmt.Errorf("%w (payload key id %q, codec key id %q)", ErrKeyMismatch, id, c.keyID)
		}
		data := p.GetData()
		if len(data) < c.aead.NonceSize() {
			return payloads, errors.New("codec: encrypted payload too short")
		}
		nonce, sealed := data[:c.aead.NonceSize()], data[c.aead.NonceSize():]
		plain, err := c.aead.Open(nil, nonce, sealed, []byte(c.keyID))
		if err != nil {
			return payloads, errors.New("codec: encrypted payload failed authentication (tampered or wrong key)")
		}
		var decoded commonpb.Payload
		if err := proto.Unmarshal(plain, &decoded); err != nil {
			return payloads, fmt.Errorf("codec: unmarshal payload: %w", err)
		}
		out[i] = &decoded
	}
	return out, nil
}

// DataConverter returns the SDK's default data converter wrapped with c, for
// client.Options.DataConverter on the worker and the starter.
func DataConverter(c *Codec) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}
