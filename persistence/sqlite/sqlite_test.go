package sqlite_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/sqlite"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (bunnybook.Store, bunnybook.Graph) {
		db := sqlitetest.MustOpen(t)
		return db, db
	})
}

func BenchmarkStore(b *testing.B) {
	storetest.RunBenchmarks(b, func(b *testing.B) (bunnybook.Store, bunnybook.Graph) {
		db := sqlitetest.MustOpen(b)
		return db, db
	})
}

// TestReopen checks that Open creates missing directories, that Migrate
// can run again on a migrated file, and that data survives a reopen.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "nested", "dir", "bunnybook.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	ben := storetest.MustCreateAccount(t, db, "ben")
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	got, err := db.AccountByUsername(ctx, "ben")
	if err != nil || got.ID != ben.ID {
		t.Fatalf("AccountByUsername after reopen: got %+v, %v; want %s", got, err, ben.ID)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// TestWALIsCheckpointedInTheBackground: the writer does not checkpoint
// (that would stall commits); the background checkpointer copies the WAL
// into the database file, which grows without anyone asking.
func TestWALIsCheckpointedInTheBackground(t *testing.T) {
	db := sqlitetest.MustOpen(t)
	file := db.Path()
	before := fileSize(t, file)
	acc := storetest.MustCreateAccounts(t, db, "ann", "bob")
	group := storetest.MustBefriend(t, db, acc[0].ID, acc[1].ID)
	for i := range 200 {
		storetest.MustAppend(t, db, storetest.NewMessage(group, acc[0].ID, int64(i+1), bunnybook.Now()))
	}
	for deadline := time.Now().Add(5 * time.Second); fileSize(t, file) <= before; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the database file stayed at %d bytes: the WAL was not checkpointed", before)
		}
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestWALStaysBoundedUnderSustainedWrites: commits that follow each other
// without a pause, with readers busy meanwhile, never leave the WAL fully
// copied at the moment a transaction starts, which is when SQLite would
// start writing it from the beginning again: without a checkpoint that
// makes it restart, the WAL grows as long as the load lasts.
func TestWALStaysBoundedUnderSustainedWrites(t *testing.T) {
	db := sqlitetest.MustOpen(t)
	acc := storetest.MustCreateAccounts(t, db, "ann", "bob")
	group := storetest.MustBefriend(t, db, acc[0].ID, acc[1].ID)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 { // readers, as hellos and chat pages are
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := db.MessagesAfter(t.Context(), group, 0, 50); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wal := db.Path() + "-wal"
	var largest int64
	seq := int64(0)
	for start := time.Now(); time.Since(start) < 4*time.Second; {
		batch := make([]bunnybook.ChatMessage, 20)
		for i := range batch {
			seq++
			batch[i] = storetest.NewMessage(group, acc[0].ID, seq, bunnybook.Now())
		}
		if err := db.AppendMessages(t.Context(), batch); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(wal); err == nil {
			largest = max(largest, fi.Size())
		}
	}
	close(stop)
	wg.Wait()
	fi, err := os.Stat(wal)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d messages; WAL %d bytes at the end, %d at most", seq, fi.Size(), largest)
	// The file keeps its size up to WALKeep when the WAL starts over (a
	// WAL that never does reaches hundreds of MiB here).
	if limit := 2 * sqlite.WALKeep; fi.Size() > limit {
		t.Fatalf("the WAL grew to %d bytes (limit %d) over %d messages: it never restarted", fi.Size(), limit, seq)
	}
}

func TestDeleteProfiles(t *testing.T) {
	db := sqlitetest.MustOpen(t)
	storetest.CheckDeleteProfiles(t, db, func(prefix string) (int64, error) { return db.DeleteProfiles(t.Context(), prefix) })
}
