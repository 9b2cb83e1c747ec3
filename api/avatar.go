package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"sync"

	"github.com/valyala/fasthttp"

	"github.com/bunnybook/bunnybook"
)

const (
	// avatarSeedMax bounds an avatar seed, in bytes.
	avatarSeedMax = 128
	// avatarCacheSize is how many rendered avatars are kept.
	avatarCacheSize = 512
	// avatarVersion changes the ETags when the renderer changes.
	avatarVersion = "1"
)

// avatarPreview renders the avatar of any seed (the registration page's
// preview). The same seed always gives the same image.
func (s *Server) avatarPreview(r *request) error {
	raw, _ := r.UserValue("identifier").(string)
	seed, err := url.PathUnescape(raw)
	switch {
	case err != nil:
		r.fail(inPath, "identifier", "must be a valid URL path segment", "value_error")
	case len(seed) > avatarSeedMax:
		r.fail(inPath, "identifier", "must be at most 128 bytes", "value_error.any_str.max_length")
	}
	if err := r.check(); err != nil {
		return err
	}
	return s.servePNG(r, seed, "public, max-age=31536000, immutable")
}

// accountAvatar renders an account's avatar, looked up by username.
func (s *Server) accountAvatar(r *request) error {
	raw, _ := r.UserValue("username").(string)
	username, err := url.PathUnescape(raw)
	if err != nil || bunnybook.ValidateUsername(username) != nil {
		return bunnybook.Errorf(bunnybook.ENotFound, "no such avatar")
	}
	acc, err := s.svc.Store.AccountByUsername(r, username)
	if err != nil {
		return err
	}
	return s.servePNG(r, acc.AvatarSeed, "public, max-age=86400")
}

// servePNG answers with the avatar of seed, or 304 when the client's
// If-None-Match already names it. Its cacheControl replaces the no-store
// of requests with credentials: an avatar is the same for everyone, and
// browsers send their cookies with every image.
func (s *Server) servePNG(r *request, seed, cacheControl string) error {
	sum := sha256.Sum256([]byte(seed))
	etag := `"av` + avatarVersion + "-" + hex.EncodeToString(sum[:16]) + `"`
	r.Response.Header.Set("ETag", etag)
	r.Response.Header.Set("Cache-Control", cacheControl)
	if etagMatch(string(r.Request.Header.Peek("If-None-Match")), etag) {
		r.SetStatusCode(fasthttp.StatusNotModified)
		return nil
	}
	png, err := s.avatars.get(seed, s.cfg.Avatar)
	if err != nil {
		return err
	}
	r.SetContentType("image/png")
	r.SetBody(png)
	return nil
}

// etagMatch reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// avatarCache keeps recently rendered avatars, so that a page full of the
// same faces renders each once. It holds at most size images; the oldest
// goes first.
type avatarCache struct {
	size  int
	mu    sync.Mutex // guards pngs and order
	pngs  map[string][]byte
	order []string // insertion order of pngs' keys
}

func newAvatarCache(size int) *avatarCache {
	return &avatarCache{size: size, pngs: make(map[string][]byte, size)}
}

// get returns the cached avatar of seed, rendering it if needed.
func (c *avatarCache) get(seed string, render func(string) ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	png, ok := c.pngs[seed]
	c.mu.Unlock()
	if ok {
		return png, nil
	}
	png, err := render(seed)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pngs[seed]; !ok {
		if len(c.order) >= c.size {
			delete(c.pngs, c.order[0])
			c.order = c.order[1:]
		}
		c.pngs[seed] = png
		c.order = append(c.order, seed)
	}
	return png, nil
}
