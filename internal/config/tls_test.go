package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned returns a PEM certificate and its PEM private key.
func selfSigned(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "worker"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
}

func TestTLSConfig(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	otherCert, _ := selfSigned(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	certFile, keyFile, caFile := write("c.pem", certPEM), write("k.pem", keyPEM), write("ca.pem", certPEM)
	notPEM := write("junk.pem", "hello")

	tests := []struct {
		name        string
		env         map[string]string
		wantNil     bool
		wantCerts   int
		wantRoots   bool
		wantProblem string
	}{
		{name: "nothing set", env: nil, wantNil: true},
		{name: "API key only: TLS with system roots", env: map[string]string{"TEMPORAL_API_KEY": temporalKey}},
		{name: "mTLS from files", env: map[string]string{"TEMPORAL_TLS_CERT": certFile, "TEMPORAL_TLS_KEY": keyFile}, wantCerts: 1},
		{name: "mTLS inline PEM with CA", env: map[string]string{"TEMPORAL_TLS_CERT": certPEM, "TEMPORAL_TLS_KEY": keyPEM, "TEMPORAL_TLS_CA": caFile}, wantCerts: 1, wantRoots: true},
		{name: "CA only", env: map[string]string{"TEMPORAL_TLS_CA": certPEM}, wantRoots: true},
		{name: "mismatched pair", env: map[string]string{"TEMPORAL_TLS_CERT": otherCert, "TEMPORAL_TLS_KEY": keyPEM},
			wantProblem: "TEMPORAL_TLS_KEY: certificate and key do not form a valid pair"},
		{name: "key file missing", env: map[string]string{"TEMPORAL_TLS_CERT": certFile, "TEMPORAL_TLS_KEY": "/nonexistent/key.pem"},
			wantProblem: "TEMPORAL_TLS_KEY: cannot read the key file"},
		{name: "CA without certificates", env: map[string]string{"TEMPORAL_TLS_CA": notPEM},
			wantProblem: "TEMPORAL_TLS_CA: contains no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := validEnv(t)
			for k, v := range tt.env {
				env[k] = v
			}
			c, err := LoadFrom(lookupIn(env))
			if tt.wantProblem != "" {
				if err == nil || !strings.Contains(err.Error(), "\n"+tt.wantProblem) {
					t.Fatalf("LoadFrom() = %v, want %q", err, tt.wantProblem)
				}
				if strings.Contains(err.Error(), "PRIVATE KEY") {
					t.Error("error reveals the key")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc, err := c.TLSConfig()
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantNil {
				if tc != nil {
					t.Errorf("TLSConfig() = %v, want nil", tc)
				}
				return
			}
			if tc == nil {
				t.Fatal("TLSConfig() = nil")
			}
			if len(tc.Certificates) != tt.wantCerts {
				t.Errorf("certificates = %d, want %d", len(tc.Certificates), tt.wantCerts)
			}
			if (tc.RootCAs != nil) != tt.wantRoots {
				t.Errorf("RootCAs set = %v, want %v", tc.RootCAs != nil, tt.wantRoots)
			}
		})
	}
}
