package cluster

import (
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pa "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// named is a Grain that answers with the identity it was given, which it
// must know by the time it starts.
type named struct{ id string }

func (n *named) SetIdentity(id string) { n.id = id }

func (n *named) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		if n.id == "" {
			panic("started without an identity")
		}
	case *wrapperspb.StringValue:
		ctx.Respond(wrapperspb.String(n.id))
		if msg.Value == "stop" {
			ctx.Poison(ctx.Self())
		}
	}
}

// TestGrainKind: grains of NewKind's kinds get their identity before they
// start, are counted, and their stops are broadcast like other grains'.
func TestGrainKind(t *testing.T) {
	kind := NewKind("named", func() Grain { return &named{} })
	c, err := Start(t.Context(), Config{Agent: test.NewInMemAgent()}, []*pa.Kind{kind}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Shutdown(true) })
	stopped := make(chan *pa.ActivationTerminated, 1)
	sub := c.ActorSystem.EventStream.Subscribe(func(e any) {
		if at, ok := e.(*pa.ActivationTerminated); ok {
			stopped <- at
		}
	})
	defer c.ActorSystem.EventStream.Unsubscribe(sub)

	ids := testIDs(20)
	for _, id := range ids {
		res, err := c.Request(id, "named", wrapperspb.String("who"), pa.WithTimeout(5*time.Second))
		if got, _ := res.(*wrapperspb.StringValue); err != nil || got.GetValue() != id {
			t.Fatalf("grain %s answered %v, %v", id, res, err)
		}
	}
	if n := c.GetClusterKind("named").Count(); n != int32(len(ids)) {
		t.Fatalf("%d grains counted, want %d", n, len(ids))
	}
	if _, err := c.Request(ids[0], "named", wrapperspb.String("stop"), pa.WithTimeout(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case at := <-stopped:
		if at.GetClusterIdentity().GetIdentity() != ids[0] {
			t.Fatalf("stop of %s broadcast, want %s", at.GetClusterIdentity().GetIdentity(), ids[0])
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the grain's stop was not broadcast")
	}
}
