package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		check   func(Config) bool
		wantErr string
	}{
		{"defaults", nil, nil, func(c Config) bool {
			return c.HTTPAddr == "127.0.0.1:8080" && c.DataDir == "./data" && c.DatabaseURL == "" && c.RateLimits && c.WSMaxPerProfile == 16
		}, ""},
		{"env", map[string]string{"BUNNYBOOK_HTTP_ADDR": ":9000", "BUNNYBOOK_RATE_LIMITS": "false"}, nil,
			func(c Config) bool { return c.HTTPAddr == ":9000" && !c.RateLimits }, ""},
		{"flag beats env", map[string]string{"BUNNYBOOK_HTTP_ADDR": ":9000"}, []string{"-http-addr", ":9001"},
			func(c Config) bool { return c.HTTPAddr == ":9001" }, ""},
		{"duration", nil, []string{"-shutdown-timeout", "3s"},
			func(c Config) bool { return c.ShutdownTimeout == 3*time.Second }, ""},
		{"redis url", map[string]string{"BUNNYBOOK_REDIS_URL": "redis://127.0.0.1:6379/0"}, nil,
			func(c Config) bool { return c.RedisURL == "redis://127.0.0.1:6379/0" }, ""},
		{"ws max per profile", map[string]string{"BUNNYBOOK_WS_MAX_PER_PROFILE": "4"}, nil,
			func(c Config) bool { return c.WSMaxPerProfile == 4 }, ""},
		{"ws max per profile below 1", nil, []string{"-ws-max-per-profile", "0", "-jwt-secret", "short", "-log-level", "loud"}, nil, "ws-max-per-profile"},
		{"bad redis url", nil, []string{"-redis-url", "localhost:6379", "-jwt-secret", "short", "-log-level", "loud"}, nil, "redis-url"},
		{"all problems at once", map[string]string{"BUNNYBOOK_DATABASE_URL": "mysql://x", "BUNNYBOOK_JWT_SECRET": "short"},
			[]string{"-log-level", "loud"}, nil, "database-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c, err := ParseConfig(fs, tt.args, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one mentioning %q", err, tt.wantErr)
				}
				for _, also := range []string{"jwt-secret", "log-level"} {
					if !strings.Contains(err.Error(), also) {
						t.Errorf("error %q does not also report %s", err, also)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func TestSecretGeneratedOnceAndKept(t *testing.T) {
	c := DefaultConfig()
	c.DataDir = filepath.Join(t.TempDir(), "data")
	first, err := c.Secret()
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Secret()
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < 32 || string(first) != string(second) {
		t.Fatalf("got %q then %q, want one stable secret of ≥ 32 bytes", first, second)
	}
	info, err := os.Stat(filepath.Join(c.DataDir, "jwt-secret"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, mode %v; want 0600", err, info.Mode())
	}
}
