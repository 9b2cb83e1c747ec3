package api

import (
	"context"
	"sync"

	"github.com/valyala/fasthttp"
)

type health struct {
	Status string `json:"status"`
}

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func (s *Server) healthz(r *request) error {
	return r.ok(health{Status: "ok"})
}

// readyz runs every readiness check at once, each bounded by ReadyTimeout.
func (s *Server) readyz(r *request) error {
	out := readiness{Status: "ready", Checks: make(map[string]string, len(s.cfg.ReadyChecks))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range s.cfg.ReadyChecks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ReadyTimeout)
			defer cancel()
			state := "up"
			if err := c.Ping(ctx); err != nil {
				state = "down: " + err.Error()
			}
			mu.Lock()
			defer mu.Unlock()
			out.Checks[c.Name] = state
			if state != "up" && !c.Optional {
				out.Status = "unavailable"
			}
		})
	}
	wg.Wait()
	status := fasthttp.StatusOK
	if out.Status != "ready" {
		status = fasthttp.StatusServiceUnavailable
	}
	writeJSON(r.RequestCtx, status, out)
	return nil
}

func (s *Server) openAPI(r *request) error {
	r.SetContentType("application/json")
	r.SetBody(s.openapi)
	return nil
}

func (s *Server) docsPage(r *request) error {
	r.SetContentType("text/html; charset=utf-8")
	r.Response.Header.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	r.SetBody(s.docs)
	return nil
}
