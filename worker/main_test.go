package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entrata-brivo/entrata-brivo/internal/config"
)

// clearEnv unsets every variable of the contract for the test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, v := range config.Variables() {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
}

func TestWorkerNamesEveryMissingVariable(t *testing.T) {
	clearEnv(t)
	err := realMain(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		t.Fatal("worker started with no configuration")
	}
	for _, v := range []string{"ENTRATA_BASE_URL", "BRIVO_API_KEY", "BRIVO_CLIENT_ID", "BRIVO_USERNAME", "SYNC_MAPPING_FILE"} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("error does not name %s:\n%v", v, err)
		}
	}
}

func TestWorkerRejectsABadMappingFileByKey(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	mapping := filepath.Join(dir, "mapping.yaml")
	if err := os.WriteFile(mapping, []byte("properties:\n  - entrataPropertyId: \"100\"\n    timezone: Mars/Base\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"ENTRATA_BASE_URL": "http://127.0.0.1:1/ext/orgs/x/v1", "ENTRATA_API_KEY": "k",
		"BRIVO_API_KEY": "k", "BRIVO_CLIENT_ID": "c", "BRIVO_CLIENT_SECRET": "s", "BRIVO_USERNAME": "u", "BRIVO_PASSWORD": "p",
		"SYNC_MAPPING_FILE": mapping,
	} {
		t.Setenv(k, v)
	}
	err := realMain(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "SYNC_MAPPING_FILE") || !strings.Contains(err.Error(), "timezone") ||
		!strings.Contains(err.Error(), "line 3") {
		t.Fatalf("err = %v, want the mapping file's line and key", err)
	}
}
