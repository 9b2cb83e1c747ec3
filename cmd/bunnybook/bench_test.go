package main

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook/client"
)

// BenchmarkChatRoundTrip: chat.send → chat.ack (stored) on one node, SQLite.
func BenchmarkChatRoundTrip(b *testing.B) {
	m := MustRunMain(b, unlimited)
	_, _, ca, _, group := chatPairB(b, m.URL())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ca.Send(map[string]any{"type": "chat.send", "id": fmt.Sprint(i), "chatGroupId": group, "content": "hop"})
		if _, err := ca.AwaitType(wait, "chat.ack"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChatDelivery: chat.send → the other member's chat.message.
func BenchmarkChatDelivery(b *testing.B) {
	m := MustRunMain(b, unlimited)
	_, _, ca, cb, group := chatPairB(b, m.URL())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ca.Send(map[string]any{"type": "chat.send", "id": fmt.Sprint(i), "chatGroupId": group, "content": "hop"})
		if _, err := cb.AwaitType(wait, "chat.message"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleConnections opens 1000 authenticated connections and reports
// the server-side memory per idle connection (heap + stacks, after GC).
// Client and server share the process, so the client's share is measured
// separately and subtracted.
func BenchmarkIdleConnections(b *testing.B) {
	const n = 1000
	// 50 connections per user: above the default limit per profile.
	m := MustRunMain(b, func(m *Main) { m.Config.WSMaxPerProfile = n })
	users := make([]*client.Client, 20)
	for i := range users {
		users[i] = MustUser(b, m.URL())
	}
	for i := 0; i < b.N; i++ {
		before := memInUse()
		conns := make([]*client.Conn, 0, n)
		start := time.Now()
		for j := 0; j < n; j++ {
			c, err := client.Dial(context.Background(), m.URL(), users[j%len(users)].Token, client.DialOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.AwaitType(wait, "hello"); err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "conns/s")
		after := memInUse()
		b.ReportMetric(float64(after-before)/n, "bytes/conn(server+client)")
		for _, c := range conns {
			c.Close()
		}
	}
}

// unlimited lifts the per-connection frame rate limit for benchmarks.
func unlimited(m *Main) { m.Config.WSRate = 1e6 }

func memInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}

func chatPairB(b *testing.B, url string) (x, y *client.Client, cx, cy *client.Conn, group string) {
	x, y = MustUser(b, url), MustUser(b, url)
	MustBefriend(b, x, y)
	cx, hx := MustDial(b, url, x)
	cy, _ = MustDial(b, url, y)
	return x, y, cx, cy, hx.PrivateChats[0].ChatGroupID
}
