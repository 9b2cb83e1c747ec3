package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
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
		{"trusted proxies default to loopback and private ranges", nil, nil, func(c Config) bool {
			return strings.Join(c.TrustedProxies, ",") == "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
		}, ""},
		{"trusted proxies", map[string]string{"BUNNYBOOK_TRUSTED_PROXIES": "10.1.0.0/16, 192.0.2.7"}, []string{"-trust-proxy"}, func(c Config) bool {
			return c.TrustProxy && strings.Join(c.TrustedProxies, ",") == "10.1.0.0/16,192.0.2.7"
		}, ""},
		{"bad trusted proxy", nil, []string{"-trusted-proxies", "10.0.0.0/33,proxy.local", "-jwt-secret", "short", "-log-level", "loud"}, nil,
			`trusted-proxies: "10.0.0.0/33" is not a CIDR`},
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

// The trusted proxies reach the API: behind a trusted proxy (the test
// client, on loopback) clients are told apart by X-Forwarded-For; once
// loopback is not trusted, the header is ignored and they share a limit.
func TestConfigTrustedProxiesReachTheAPI(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []string
		limited bool
	}{
		{"loopback trusted (default)", DefaultConfig().TrustedProxies, false},
		{"loopback not trusted", []string{"10.0.0.0/8"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := MustRunMain(t, func(m *Main) {
				m.Config.RateLimits, m.Config.TrustProxy, m.Config.TrustedProxies = true, true, tc.proxies
			})
			limited := false
			for i := range 6 { // the avatar preview allows 5 per second per client
				req, err := http.NewRequest(http.MethodGet, m.URL()+"/web/avatar/x", nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				limited = limited || res.StatusCode == http.StatusTooManyRequests
			}
			if limited != tc.limited {
				t.Errorf("six clients: rate limited %v, want %v", limited, tc.limited)
			}
		})
	}
}
