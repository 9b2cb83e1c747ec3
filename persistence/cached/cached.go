package cached

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/bunnybook/bunnybook"
)

// Defaults of Options.
const (
	DefaultPostTTL  = time.Minute
	DefaultGraphTTL = 10 * time.Minute
	DefaultLockTTL  = time.Second
	DefaultWait     = 150 * time.Millisecond
)

// errorLogEvery is the least time between two cache-error log lines.
const errorLogEvery = 10 * time.Second

// Options tunes a Store. Zero values take the defaults.
type Options struct {
	// PostTTL bounds how long wall pages, posts and comment pages stay
	// cached. Default 60 s, like the original.
	PostTTL time.Duration
	// GraphTTL bounds how long relationships and friend lists stay cached.
	// Default 10 min, like the original.
	GraphTTL time.Duration
	// LockTTL is how long one node may hold the right to recompute a key.
	// Default 1 s.
	LockTTL time.Duration
	// Wait is how long a node that did not get that right polls the cache
	// for the value before reading the source itself. Default 150 ms.
	Wait time.Duration
	// Logger receives cache errors. Default slog.Default().
	Logger *slog.Logger
}

// Store is a bunnybook.Store and bunnybook.Graph that caches reads of an
// inner store and graph. Methods not listed here pass through.
type Store struct {
	bunnybook.Store
	bunnybook.Graph
	cache bunnybook.Cache
	opt   Options
	group singleflight.Group

	hits, misses atomic.Int64
	writes       atomic.Int64 // bumps so far: part of singleflight keys
	stale        atomic.Bool  // a bump failed: bypass the cache until BumpAll succeeds

	logMu      sync.Mutex // guards lastLog and suppressed
	lastLog    time.Time
	suppressed int
}

// New returns a Store caching store and graph reads in cache. Relationship
// reads go to store, the source of truth. A nil cache caches nothing (for
// nodes of a cluster without a shared cache: a per-node cache would miss
// the other nodes' writes).
func New(store bunnybook.Store, graph bunnybook.Graph, cache bunnybook.Cache, o Options) *Store {
	if o.PostTTL == 0 {
		o.PostTTL = DefaultPostTTL
	}
	if o.GraphTTL == 0 {
		o.GraphTTL = DefaultGraphTTL
	}
	if o.LockTTL == 0 {
		o.LockTTL = DefaultLockTTL
	}
	if o.Wait == 0 {
		o.Wait = DefaultWait
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Store{Store: store, Graph: graph, cache: cache, opt: o}
}

// Stats counts cache reads since the Store was made.
type Stats struct {
	Hits   int64 // answered from the cache
	Misses int64 // read from the source (including while bypassing the cache)
}

// Stats returns the hit and miss counts.
func (s *Store) Stats() Stats { return Stats{Hits: s.hits.Load(), Misses: s.misses.Load()} }

// read returns the value of key in namespace ns: from the cache, or from
// load (then cached for ttl). Errors from load are returned, not cached.
func read[T any](ctx context.Context, s *Store, ns, key string, ttl time.Duration, load func(context.Context) (T, error)) (T, error) {
	var zero T
	if !s.usable(ctx) {
		s.misses.Add(1)
		return load(ctx)
	}
	b, err := readJSON(ctx, s, ns, key, ttl, func(ctx context.Context) (any, error) { return load(ctx) })
	if err != nil {
		return zero, err
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return zero, fmt.Errorf("cache decode %s: %w", ns, err)
	}
	return v, nil
}

// readJSON is read without the decoding: it returns the value's JSON as
// cached (or as just loaded and cached), for callers that pass it on as it
// is.
func readJSON(ctx context.Context, s *Store, ns, key string, ttl time.Duration, load func(context.Context) (any, error)) ([]byte, error) {
	if !s.usable(ctx) {
		s.misses.Add(1)
		v, err := load(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	}
	hit := true
	// Callers join a load in flight only if no write of this process
	// completed since it started (it may have read before the write). The
	// shared load outlives a canceled first caller, so the others waiting on
	// it are not failed by someone else's cancellation.
	flight := fmt.Sprintf("%s\x00%s\x00%d", ns, key, s.writes.Load())
	b, err, _ := s.group.Do(flight, func() (any, error) {
		ctx := context.WithoutCancel(ctx)
		version, b, ok := s.lookup(ctx, ns, key)
		if ok {
			return b, nil
		}
		hit = false
		v, err := load(ctx)
		if err != nil {
			return nil, err
		}
		b, err = json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("cache encode %s: %w", ns, err)
		}
		if version != "" {
			if err := s.cache.Set(ctx, ns, version, key, b, ttl); err != nil {
				s.logError(err)
			}
		}
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	if hit {
		s.hits.Add(1)
	} else {
		s.misses.Add(1)
	}
	return b.([]byte), nil
}

// lookup returns the namespace's version ("" if the cache failed) and the
// cached value of key. On a miss, unless this node gets the lock to
// recompute the value, it polls for the value another node is computing,
// for up to Wait.
func (s *Store) lookup(ctx context.Context, ns, key string) (string, []byte, bool) {
	version, b, ok, err := s.cache.Get(ctx, ns, key)
	if err != nil {
		s.logError(err)
		return "", nil, false
	}
	if ok {
		return version, b, true
	}
	locked, err := s.cache.Lock(ctx, ns+"/"+version+"/"+key, s.opt.LockTTL)
	if err != nil {
		s.logError(err)
		return "", nil, false
	}
	if locked {
		return version, nil, false
	}
	deadline := time.Now().Add(s.opt.Wait)
	for time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		if v, b, ok, err := s.cache.Get(ctx, ns, key); err != nil || ok || v != version {
			return v, b, ok && err == nil // a hit, a failure or a newer version: stop waiting
		}
	}
	return version, nil, false
}

// usable reports whether the cache may be read: not after a failed bump
// until a new generation was started.
func (s *Store) usable(ctx context.Context) bool {
	if s.cache == nil {
		return false
	}
	if !s.stale.Load() {
		return true
	}
	if err := s.cache.BumpAll(ctx); err != nil {
		return false
	}
	s.stale.Store(false)
	s.opt.Logger.Info("cache: new generation after failed invalidations; using the cache again")
	return true
}

// bump invalidates namespaces after a write. It is called whatever the
// write's outcome: a write that failed ambiguously may have committed.
func (s *Store) bump(ctx context.Context, namespaces ...string) {
	defer s.writes.Add(1)
	if s.cache == nil {
		return
	}
	if err := s.cache.Bump(context.WithoutCancel(ctx), namespaces...); err != nil {
		s.stale.Store(true)
		s.logError(err)
	}
}

// logError logs a cache error, at most once per errorLogEvery, with the
// number of errors not logged since the last line.
func (s *Store) logError(err error) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	if time.Since(s.lastLog) < errorLogEvery {
		s.suppressed++
		return
	}
	s.opt.Logger.Warn("cache error: reading through to the store", "err", err, "suppressed", s.suppressed)
	s.lastLog, s.suppressed = time.Now(), 0
}

// Namespaces.
func wallNS(id string) string    { return "wall:" + id }
func postNS(id string) string    { return "post:" + id }
func friendsNS(id string) string { return "friends:" + id }
func likesNS(id string) string   { return "likes:" + id } // what a profile likes
func pairNS(a, b string) string {
	if a > b {
		a, b = b, a
	}
	return "pair:" + a + ":" + b
}

func timeKey(prefix string, p bunnybook.TimePage) string {
	return fmt.Sprintf("%s:%d:%d:%s", prefix, p.Limit, p.Before.UnixMilli(), p.BeforeID)
}

// Post returns a post, cached under its post namespace.
func (s *Store) Post(ctx context.Context, id string) (*bunnybook.Post, error) {
	return read(ctx, s, postNS(id), "p", s.opt.PostTTL, func(ctx context.Context) (*bunnybook.Post, error) {
		return s.Store.Post(ctx, id)
	})
}

// WallPosts returns a wall page, cached under the wall's namespace.
func (s *Store) WallPosts(ctx context.Context, wallID string, withFriendsOnly bool, page bunnybook.TimePage) ([]bunnybook.Post, error) {
	key := timeKey(fmt.Sprintf("%t", withFriendsOnly), page)
	return read(ctx, s, wallNS(wallID), key, s.opt.PostTTL, func(ctx context.Context) ([]bunnybook.Post, error) {
		return s.Store.WallPosts(ctx, wallID, withFriendsOnly, page)
	})
}

// WallPostsJSON is WallPosts as the JSON the cache keeps (a list, never
// null), so that a hit costs no decoding and no encoding.
func (s *Store) WallPostsJSON(ctx context.Context, wallID string, withFriendsOnly bool, page bunnybook.TimePage) ([]byte, error) {
	key := timeKey(fmt.Sprintf("%t", withFriendsOnly), page)
	return readJSON(ctx, s, wallNS(wallID), key, s.opt.PostTTL, func(ctx context.Context) (any, error) {
		posts, err := s.Store.WallPosts(ctx, wallID, withFriendsOnly, page)
		if posts == nil {
			posts = []bunnybook.Post{}
		}
		return posts, err
	})
}

// Profile returns a profile, cached for GraphTTL: profiles never change
// (usernames are fixed) and are never deleted.
func (s *Store) Profile(ctx context.Context, id string) (*bunnybook.Profile, error) {
	return read(ctx, s, "profile:"+id, "p", s.opt.GraphTTL, func(ctx context.Context) (*bunnybook.Profile, error) {
		return s.Store.Profile(ctx, id)
	})
}

// Comments returns a comment page, cached under the post's namespace.
func (s *Store) Comments(ctx context.Context, postID string, page bunnybook.TimePage) ([]bunnybook.Comment, error) {
	return read(ctx, s, postNS(postID), timeKey("c", page), s.opt.PostTTL, func(ctx context.Context) ([]bunnybook.Comment, error) {
		return s.Store.Comments(ctx, postID, page)
	})
}

// Relationship returns how a relates to b, read from the store (the source
// of truth) and cached once per pair, from the smaller id's side.
func (s *Store) Relationship(ctx context.Context, a, b string) (bunnybook.Relationship, error) {
	lo, hi := a, b
	if lo > hi {
		lo, hi = hi, lo
	}
	rel, err := read(ctx, s, pairNS(a, b), "rel", s.opt.GraphTTL, func(ctx context.Context) (bunnybook.Relationship, error) {
		return s.Store.Relationship(ctx, lo, hi)
	})
	if err != nil || a == lo {
		return rel, err
	}
	switch rel {
	case bunnybook.RelIncoming:
		return bunnybook.RelOutgoing, nil
	case bunnybook.RelOutgoing:
		return bunnybook.RelIncoming, nil
	}
	return rel, nil
}

// Friends returns a page of friends, cached under the profile's friend-list namespace.
func (s *Store) Friends(ctx context.Context, id string, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	key := fmt.Sprintf("%d:%s", page.Limit, page.After)
	return read(ctx, s, friendsNS(id), key, s.opt.GraphTTL, func(ctx context.Context) ([]bunnybook.Profile, error) {
		return s.Graph.Friends(ctx, id, page)
	})
}

// CreatePost creates a post and invalidates its wall.
func (s *Store) CreatePost(ctx context.Context, p *bunnybook.Post, notes []bunnybook.Notification) error {
	err := s.Store.CreatePost(ctx, p, notes)
	s.bump(ctx, wallNS(p.WallProfileID))
	return err
}

// DeletePost deletes a post and invalidates it (with its comments) and its wall.
func (s *Store) DeletePost(ctx context.Context, id string) error {
	if s.cache == nil {
		return s.Store.DeletePost(ctx, id)
	}
	p, err := s.Store.Post(ctx, id)
	if err != nil {
		return err // not found, or the store is down: nothing to delete
	}
	err = s.Store.DeletePost(ctx, id)
	s.bump(ctx, wallNS(p.WallProfileID), postNS(id))
	return err
}

// CreateComment creates a comment and invalidates its post (comment count
// and comment pages) and the post's wall (whose pages show the count).
func (s *Store) CreateComment(ctx context.Context, c *bunnybook.Comment, notes []bunnybook.Notification) error {
	err := s.Store.CreateComment(ctx, c, notes)
	if s.cache == nil {
		return err
	}
	s.postChanged(ctx, c.PostID)
	return err
}

// postChanged invalidates a post and its wall after a change of its
// counts.
func (s *Store) postChanged(ctx context.Context, postID string) {
	// The wall of a post never changes; ask even if the caller gave up.
	p, err := s.Store.Post(context.WithoutCancel(ctx), postID)
	switch {
	case err == nil:
		s.bump(ctx, postNS(postID), wallNS(p.WallProfileID))
	case bunnybook.ErrorKind(err) == bunnybook.ENotFound:
		s.bump(ctx, postNS(postID)) // deleted meanwhile: its deletion bumped the wall
	default:
		s.bump(ctx, postNS(postID))
		s.stale.Store(true) // the wall is unknown: start a new generation
		s.logError(err)
	}
}

// SendFriendRequest sends a request and invalidates the pair's relationship.
func (s *Store) SendFriendRequest(ctx context.Context, from, to string, note bunnybook.Notification) error {
	err := s.Store.SendFriendRequest(ctx, from, to, note)
	s.bump(ctx, pairNS(from, to))
	return err
}

// DeleteFriendRequest deletes a request and invalidates the pair's relationship.
func (s *Store) DeleteFriendRequest(ctx context.Context, from, to string) error {
	err := s.Store.DeleteFriendRequest(ctx, from, to)
	s.bump(ctx, pairNS(from, to))
	return err
}

// AcceptFriendRequest makes a friendship and invalidates the pair's
// relationship and both friend lists.
func (s *Store) AcceptFriendRequest(ctx context.Context, requester, accepter string, note bunnybook.Notification) (string, error) {
	group, err := s.Store.AcceptFriendRequest(ctx, requester, accepter, note)
	s.bump(ctx, pairNS(requester, accepter), friendsNS(requester), friendsNS(accepter))
	return group, err
}

// Unfriend ends a friendship and invalidates the pair's relationship and
// both friend lists.
func (s *Store) Unfriend(ctx context.Context, a, b string) (string, error) {
	group, err := s.Store.Unfriend(ctx, a, b)
	s.bump(ctx, pairNS(a, b), friendsNS(a), friendsNS(b))
	return group, err
}

// FriendsChanged invalidates the friend lists of ids. A graph replica that
// applies friendship changes after the store (and so after the bump of
// AcceptFriendRequest or Unfriend) calls it once it has them, so a list
// read from the lagging replica meanwhile is not served for GraphTTL.
func (s *Store) FriendsChanged(ctx context.Context, ids ...string) {
	ns := make([]string, len(ids))
	for i, id := range ids {
		ns[i] = friendsNS(id)
	}
	s.bump(ctx, ns...)
}

// Like adds a like and invalidates what shows it: the post (its count and
// comment pages), for a like of the post itself its wall, and what the
// liker likes.
func (s *Store) Like(ctx context.Context, l bunnybook.Like, notes []bunnybook.Notification) (bool, error) {
	added, err := s.Store.Like(ctx, l, notes)
	if err == nil && !added {
		return false, nil // nothing changed
	}
	s.likeChanged(ctx, l)
	return added, err
}

// Unlike removes a like and invalidates what shows its count, as Like.
func (s *Store) Unlike(ctx context.Context, l bunnybook.Like) error {
	err := s.Store.Unlike(ctx, l)
	s.likeChanged(ctx, l)
	return err
}

// likeChanged invalidates the caches that show l: its count, and what
// its profile likes.
func (s *Store) likeChanged(ctx context.Context, l bunnybook.Like) {
	if l.CommentID != "" || s.cache == nil {
		// Comment likes are not on wall pages; without a cache there is
		// no wall to find (bump only counts the write).
		s.bump(ctx, postNS(l.PostID), likesNS(l.ProfileID))
		return
	}
	s.bump(ctx, likesNS(l.ProfileID))
	s.postChanged(ctx, l.PostID)
}

// LikedPosts returns those of postIDs that profileID likes, cached under
// the profile's likes namespace (which only the profile's own likes and
// unlikes change) by the list of ids asked about: a wall page asks about
// the same ids on every read until it changes.
func (s *Store) LikedPosts(ctx context.Context, profileID string, postIDs []string) ([]string, error) {
	return s.liked(ctx, profileID, "p:", postIDs, s.Store.LikedPosts)
}

// LikedComments is LikedPosts for comments.
func (s *Store) LikedComments(ctx context.Context, profileID string, commentIDs []string) ([]string, error) {
	return s.liked(ctx, profileID, "c:", commentIDs, s.Store.LikedComments)
}

func (s *Store) liked(ctx context.Context, profileID, kind string, ids []string,
	load func(ctx context.Context, profileID string, ids []string) ([]string, error)) ([]string, error) {
	b, err := readJSON(ctx, s, likesNS(profileID), kind+strings.Join(ids, ","), s.opt.PostTTL, func(ctx context.Context) (any, error) {
		return load(ctx, profileID, ids)
	})
	if err != nil {
		return nil, err
	}
	return decodeIDs(b)
}

// decodeIDs decodes a JSON list of ids. It is read on every wall page an
// authenticated viewer reads, so lists of plain strings (ids never need
// escapes) are split without encoding/json, which costs several times more.
func decodeIDs(b []byte) ([]string, error) {
	inner, ok := bytes.CutPrefix(b, []byte(`["`))
	inner, ok2 := bytes.CutSuffix(inner, []byte(`"]`))
	if !ok || !ok2 || bytes.IndexByte(inner, '\\') >= 0 {
		var ids []string
		err := json.Unmarshal(b, &ids)
		return ids, err
	}
	return strings.Split(string(inner), `","`), nil
}
