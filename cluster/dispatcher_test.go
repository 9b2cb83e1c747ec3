package cluster

import (
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bunnybook/bunnybook/internal/testwait"
)

// TestDispatcherReusesWaitingGoroutines: work scheduled while a goroutine
// waits runs on it, up to max of them wait, and they end when idle.
func TestDispatcherReusesWaitingGoroutines(t *testing.T) {
	d := NewDispatcher(2, 200*time.Millisecond)
	var mu sync.Mutex
	ran := map[int]bool{}
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		d.Schedule(func() {
			defer wg.Done()
			mu.Lock()
			ran[i] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(ran) != 100 {
		t.Fatalf("ran %d of 100", len(ran))
	}
	testwait.For(t, time.Second, "two goroutines waiting", func() bool { return d.workers.Load() == 2 })
	testwait.For(t, 2*time.Second, "idle goroutines ending", func() bool { return d.workers.Load() == 0 })
}

// TestDispatcherNeverQueuesBehindBusyWork: with every waiting goroutine
// busy, scheduled work starts at once on a new one.
func TestDispatcherNeverQueuesBehindBusyWork(t *testing.T) {
	d := NewDispatcher(1, time.Minute)
	release := make(chan struct{})
	defer close(release)
	started := make(chan int, 10)
	for i := range 10 {
		d.Schedule(func() {
			started <- i
			<-release
		})
	}
	for range 10 {
		select {
		case <-started:
		case <-time.After(5 * time.Second):
			t.Fatal("scheduled work waits behind blocked work")
		}
	}
}

// TestDispatcherRunsMailboxes: actors spawned with it get their messages.
func TestDispatcherRunsMailboxes(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	d := NewDispatcher(4, time.Second)
	echo := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if n, ok := ctx.Message().(int); ok {
			ctx.Respond(n + 1)
		}
	}, actor.WithDispatcher(d)))
	for i := range 50 {
		got, err := system.Root.RequestFuture(echo, i, time.Second).Result()
		if err != nil || got != i+1 {
			t.Fatalf("request %d: got %v, %v; want %d", i, got, err, i+1)
		}
	}
}
