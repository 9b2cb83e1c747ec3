package cached_test

import (
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/cached"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/postgres/postgrestest"
	"github.com/bunnybook/bunnybook/persistence/redis/redistest"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// BenchmarkWallPage reads wall pages (the first five pages of ten posts of
// a 100-post wall, in turn, from 1 and from 8 goroutines) from SQLite and
// PostgreSQL directly, through the memory cache and through the Redis
// cache, in one run. Cached runs are warm: the benchmark measures hits.
func BenchmarkWallPage(b *testing.B) {
	sources := []struct {
		name string
		open func(b *testing.B) bunnybook.Store
	}{
		{"sqlite", func(b *testing.B) bunnybook.Store { return sqlitetest.MustOpen(b) }},
		{"postgres", func(b *testing.B) bunnybook.Store { return postgrestest.MustOpen(b) }},
	}
	for _, src := range sources {
		b.Run(src.name, func(b *testing.B) {
			db := src.open(b)
			pages := seedWall(b, db)
			stores := []struct {
				name  string
				store bunnybook.Store
			}{
				{"nocache", db},
				{"memory", cached.New(db, nil, memory.NewCache(), cached.Options{})},
				{"redis", cached.New(db, nil, redistest.MustOpen(b).Cache(), cached.Options{})},
			}
			for _, s := range stores {
				for _, par := range []int{1, 8} {
					b.Run(s.name+"/"+map[int]string{1: "serial", 8: "parallel8"}[par], func(b *testing.B) {
						benchWall(b, s.store, pages, par)
					})
				}
			}
		})
	}
}

type wallPage struct {
	wall string
	page bunnybook.TimePage
}

// seedWall posts 100 posts on one wall and returns the cursors of its first
// five pages.
func seedWall(b *testing.B, s bunnybook.Store) []wallPage {
	ben := storetest.MustCreateAccount(b, s, "ben")
	for i := range 100 {
		storetest.MustCreatePost(b, s, ben.ID, ben.ID, bunnybook.Public, bunnybook.UnixMilli(1_700_000_000_000+int64(i)*1000))
	}
	var pages []wallPage
	page := bunnybook.TimePage{Limit: 10}
	for range 5 {
		pages = append(pages, wallPage{ben.ID, page})
		ps, err := s.WallPosts(b.Context(), ben.ID, true, page)
		if err != nil || len(ps) != 10 {
			b.Fatalf("seed: %d posts, %v", len(ps), err)
		}
		last := ps[len(ps)-1]
		page.Before, page.BeforeID = last.CreatedAt, last.ID
	}
	return pages
}

func benchWall(b *testing.B, s bunnybook.Store, pages []wallPage, par int) {
	read := func(i int) {
		p := pages[i%len(pages)]
		ps, err := s.WallPosts(b.Context(), p.wall, true, p.page)
		if err != nil || len(ps) != 10 {
			b.Fatalf("WallPosts: %d posts, %v", len(ps), err)
		}
	}
	for i := range pages {
		read(i) // warm
	}
	b.SetParallelism(par)
	b.ResetTimer()
	if par == 1 {
		i := 0
		for b.Loop() {
			read(i)
			i++
		}
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			read(i)
			i++
		}
	})
}
