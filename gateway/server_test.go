package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/metrics"
	"github.com/bunnybook/bunnybook/persistence/memory"
)

// noTokens refuses every access token: upgrades that pass the rate limit
// end with 401 before anything needs a cluster.
type noTokens struct{}

func (noTokens) Authenticate(context.Context, string) (bunnybook.Profile, string, error) {
	return bunnybook.Profile{}, "", errors.New("no tokens here")
}

// downLimiter is a counter store that is down.
type downLimiter struct{}

func (downLimiter) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return false, 0, errors.New("counter store down")
}

// upgrade runs Handle on an upgrade request from ip and returns the answer.
func upgrade(s *Server, ip string) *fasthttp.Response {
	var req fasthttp.Request
	req.SetRequestURI("http://bunnybook.test/ws")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	req.Header.Set("Authorization", "Bearer x.y.z")
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000}, nil)
	s.Handle(&ctx)
	var res fasthttp.Response
	ctx.Response.CopyTo(&res)
	return &res
}

func TestUpgradeRateLimit(t *testing.T) {
	twoPerMinute := []RateLimit{{2, time.Minute}}
	tests := []struct {
		name    string
		limiter bunnybook.RateLimiter
		limits  []RateLimit
		from    []string // client IPs, one upgrade each
		want    []int    // status codes
	}{
		{"over the limit", memory.NewRateLimiter(), twoPerMinute,
			[]string{"10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.1"}, []int{401, 401, 429, 429}},
		{"per client IP", memory.NewRateLimiter(), twoPerMinute,
			[]string{"10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2"}, []int{401, 401, 401, 429, 401}},
		{"every limit counts", memory.NewRateLimiter(), []RateLimit{{5, time.Minute}, {1, time.Hour}},
			[]string{"10.0.0.1", "10.0.0.1"}, []int{401, 429}},
		{"limiter down lets upgrades through", downLimiter{}, twoPerMinute,
			[]string{"10.0.0.1", "10.0.0.1", "10.0.0.1"}, []int{401, 401, 401}},
		{"no limiter, no limit", nil, twoPerMinute,
			[]string{"10.0.0.1", "10.0.0.1", "10.0.0.1"}, []int{401, 401, 401}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			ms := metrics.New(reg)
			system := actor.NewActorSystem()
			defer system.Shutdown()
			s := NewServer(Config{Limiter: tt.limiter, UpgradeLimits: tt.limits, Metrics: ms, NoPoller: true},
				noTokens{}, nil, nil, system, slog.New(slog.DiscardHandler))
			refused := 0
			for i, ip := range tt.from {
				res := upgrade(s, ip)
				if res.StatusCode() != tt.want[i] {
					t.Fatalf("upgrade %d from %s: got HTTP %d, want %d", i+1, ip, res.StatusCode(), tt.want[i])
				}
				if res.StatusCode() != 429 {
					continue
				}
				refused++
				if secs, err := strconv.Atoi(string(res.Header.Peek("Retry-After"))); err != nil || secs < 1 || secs > 3600 {
					t.Errorf("Retry-After %q, want 1 s to the window's length", res.Header.Peek("Retry-After"))
				}
				var body struct{ Detail, Message string }
				if err := json.Unmarshal(res.Body(), &body); err != nil || body.Detail != "Too Many Requests" || body.Message == "" {
					t.Errorf("body %s, want the usual JSON error", res.Body())
				}
			}
			if got := refusedCount(reg, "rate_limited"); got != float64(refused) {
				t.Errorf("refused{reason=rate_limited} = %v, want %d", got, refused)
			}
		})
	}
}

// refusedCount reads bunnybook_ws_connections_refused_total{reason} from reg.
func refusedCount(reg *prometheus.Registry, reason string) float64 {
	families, _ := reg.Gather()
	for _, f := range families {
		if f.GetName() != "bunnybook_ws_connections_refused_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// TestUpgradeRefusedWhenBusy: when as many connections are being set up
// as the node attaches and queues, a new upgrade is refused at once with
// 503 and Retry-After, before its token is even checked; it is let in
// again as soon as one setup ends.
func TestUpgradeRefusedWhenBusy(t *testing.T) {
	reg := prometheus.NewRegistry()
	system := actor.NewActorSystem()
	defer system.Shutdown()
	s := NewServer(Config{AttachInFlight: 1, AttachQueue: 1, Metrics: metrics.New(reg), NoPoller: true},
		noTokens{}, nil, nil, system, slog.New(slog.DiscardHandler))
	s.admission.admit() // two connections being set up
	s.admission.admit()
	res := upgrade(s, "10.0.0.1")
	if res.StatusCode() != fasthttp.StatusServiceUnavailable || string(res.Header.Peek("Retry-After")) == "" {
		t.Fatalf("upgrade while full: HTTP %d, Retry-After %q; want 503 with Retry-After", res.StatusCode(), res.Header.Peek("Retry-After"))
	}
	if got := refusedCount(reg, "busy"); got != 1 {
		t.Errorf("refused{reason=busy} = %v, want 1", got)
	}
	s.admission.attached()
	if res := upgrade(s, "10.0.0.1"); res.StatusCode() != fasthttp.StatusUnauthorized {
		t.Fatalf("upgrade after a setup ended: HTTP %d, want 401 (admitted, then its token refused)", res.StatusCode())
	}
	if n := s.admission.pending.Load(); n != 1 {
		t.Errorf("%d setups pending after a refused token, want 1 (its room given back)", n)
	}
}
