package config

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"
)

// TLSConfig returns the TLS settings for the Temporal client from
// TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY and TEMPORAL_TLS_CA (each a PEM file
// path or inline PEM):
//
//   - nil when none of them and no TEMPORAL_API_KEY is set (plain gRPC, as
//     against the dev server);
//   - system roots when only TEMPORAL_API_KEY is set (Temporal Cloud);
//   - the client certificate for mTLS, and the CA as the only root when set.
//
// Errors are Problem values naming the variable.
func (c *Config) TLSConfig() (*tls.Config, error) {
	t := c.Temporal
	if t.TLSCert == "" && !t.TLSKey.IsSet() && t.TLSCA == "" && !t.APIKey.IsSet() {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.TLSCert != "" || t.TLSKey.IsSet() {
		certPEM, err := readPEM(t.TLSCert)
		if err != nil {
			return nil, Problem{"TEMPORAL_TLS_CERT", err.Error()}
		}
		keyPEM, err := readPEM(t.TLSKey.Reveal())
		if err != nil {
			// The key's path or content is secret-adjacent: say only what failed.
			return nil, Problem{"TEMPORAL_TLS_KEY", "cannot read the key file"}
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, Problem{"TEMPORAL_TLS_KEY", "certificate and key do not form a valid pair"}
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if t.TLSCA != "" {
		caPEM, err := readPEM(t.TLSCA)
		if err != nil {
			return nil, Problem{"TEMPORAL_TLS_CA", err.Error()}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, Problem{"TEMPORAL_TLS_CA", "contains no PEM certificate"}
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// readPEM returns s itself when it is inline PEM, else the file it names.
func readPEM(s string) ([]byte, error) {
	if strings.HasPrefix(strings.TrimSpace(s), "-----BEGIN") {
		return []byte(s), nil
	}
	b, err := os.ReadFile(s)
	if err != nil {
		return nil, errNotReadable{path: s, err: err}
	}
	return b, nil
}

type errNotReadable struct {
	path string
	err  error
}

func (e errNotReadable) Error() string {
	return "cannot read " + e.path + ": " + unwrapPathError(e.err)
}

func unwrapPathError(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
