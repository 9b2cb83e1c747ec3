package cluster

// Membership through etcd. Each member puts one key,
//
//	/bunnybook/<cluster name>/members/<member id> = {"id","host","port","kinds"}
//
// attached to a lease of Config.LeaseTTL, and watches the prefix; the keys
// under it are the cluster. Timings (defaults):
//
//   - Lease TTL: 5 s (whole seconds; etcd may raise very short TTLs to its
//     own minimum, which is what the local deadline then uses).
//   - Keepalive: etcd's client renews the lease every TTL/3 (≈1.7 s).
//   - A dead or cut-off node vanishes from the others' view once its lease
//     expires, TTL after its last renewal (etcd checks every 500 ms): ≈ TTL.
//   - A node shut down gracefully revokes its lease: the others drop it at
//     once (one watch event, milliseconds).
//   - A node counts itself out when no keepalive has succeeded for TTL, or
//     etcd says its lease is gone, or its key was deleted; it then reports
//     the topology without itself (its grains move to the others, which
//     have re-placed them by then) and registers again with backoff
//     200 ms → 2 s, under a new member id.
//   - Every etcd call is bounded by 1 s.
//
// Member ids are "<ActorSystem.ID>-<n>", n counting this process's
// registrations. Proto.Actor blocks a member id for good once it leaves the
// topology (member_list.go, Block(m.Id)), so a node that fell out must come
// back under a new id. They must never equal the ActorSystem.ID either: the
// remote block list is keyed by system id (endpoint_reader.go refuses a
// blocked SystemId), so a left member whose id was the system id would make
// the others refuse the node's connections forever. Nothing in the library
// needs the two to be equal: placement (Placement, rendezvous) keys on the
// member's address; gossip state is keyed by ActorSystem.ID, and only
// BroadcastEvent(includeSelf=false) and the gossip informer's "others" list
// compare topology ids with it (with other ids, self is included: the
// gossiper then also gossips to itself, which is harmless; Proto.Actor's own
// etcd provider, with ids "<cluster>@<system id>", behaves the same).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	pa "github.com/asynkron/protoactor-go/cluster"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

const (
	// etcdCallTimeout bounds every call to etcd.
	etcdCallTimeout = time.Second
	// Re-registration and re-watch backoff.
	etcdMinBackoff = 200 * time.Millisecond
	etcdMaxBackoff = 2 * time.Second
	// etcdStopWait bounds how long Shutdown waits for the provider's
	// goroutines (each of their calls is bounded by etcdCallTimeout).
	etcdStopWait = 2 * time.Second
)

// etcdMember is the value stored under a member's key.
type etcdMember struct {
	ID    string   `json:"id"`
	Host  string   `json:"host"`
	Port  int      `json:"port"`
	Kinds []string `json:"kinds"`
}

// etcdProvider is a pa.ClusterProvider whose membership lives in etcd.
type etcdProvider struct {
	endpoints []string
	ttl       time.Duration
	logger    *slog.Logger

	// Set by start, read-only afterwards.
	client  *clientv3.Client
	cluster *pa.Cluster
	prefix  string // "/bunnybook/<cluster>/members/"
	host    string
	port    int
	kinds   []string
	ctx     context.Context // cancelled by Shutdown
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	// lost wakes the lease loop when the watch sees our key deleted.
	lost     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex            // guards the fields below; held while publishing
	members map[string]*pa.Member // etcd's view, by member id, ours included
	mine    map[string]bool       // ids this process has registered under
	self    *pa.Member            // nil while this node is out of the cluster
	lease   clientv3.LeaseID      // current lease, 0 when none
	granted time.Duration         // the current lease's TTL as etcd granted it
	seq     int                   // registrations so far, for member ids
}

func newEtcdProvider(endpoints []string, ttl time.Duration, logger *slog.Logger) *etcdProvider {
	return &etcdProvider{
		endpoints: endpoints,
		ttl:       ttl,
		logger:    logger,
		lost:      make(chan struct{}, 1),
		members:   map[string]*pa.Member{},
		mine:      map[string]bool{},
	}
}

// StartMember registers this node and follows the membership.
func (p *etcdProvider) StartMember(c *pa.Cluster) error {
	if err := p.start(c); err != nil {
		return err
	}
	rev, err := p.load(p.ctx)
	if err == nil {
		err = p.register()
	}
	if err != nil {
		_ = p.Shutdown(false)
		return fmt.Errorf("join cluster through etcd %v: %w", p.endpoints, err)
	}
	p.publish()
	p.wg.Add(2)
	go p.watchLoop(rev)
	go p.leaseLoop()
	return nil
}

// StartClient is not supported: every Bunnybook node is a member.
func (p *etcdProvider) StartClient(*pa.Cluster) error {
	return errors.New("etcd membership: client-only nodes are not supported")
}

// Shutdown revokes the lease, so the others drop this node at once instead
// of after the TTL, and stops the provider. It never blocks for long.
func (p *etcdProvider) Shutdown(graceful bool) error {
	if p.client == nil {
		return nil // never started
	}
	var err error
	p.stopOnce.Do(func() {
		p.cancel()
		done := make(chan struct{})
		go func() { p.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(etcdStopWait):
			p.logger.Warn("etcd membership goroutines still running after shutdown")
		}
		p.mu.Lock()
		lease := p.lease
		p.lease = 0
		p.mu.Unlock()
		if lease != 0 {
			ctx, cancel := context.WithTimeout(context.Background(), etcdCallTimeout)
			_, err = p.client.Revoke(ctx, lease)
			cancel()
			if err != nil {
				err = fmt.Errorf("revoke etcd lease: %w", err)
			}
		}
		p.client.Close()
	})
	return err
}

func (p *etcdProvider) start(c *pa.Cluster) error {
	host, port, err := c.ActorSystem.GetHostPort()
	if err != nil {
		return fmt.Errorf("cluster member address: %w", err)
	}
	client, err := clientv3.New(clientv3.Config{
		Endpoints:   p.endpoints,
		DialTimeout: etcdCallTimeout,
		Logger:      zap.NewNop(), // failures surface through our own logs
	})
	if err != nil {
		return fmt.Errorf("etcd client %v: %w", p.endpoints, err)
	}
	p.client, p.cluster = client, c
	p.host, p.port, p.kinds = host, port, c.GetClusterKinds()
	p.prefix = "/bunnybook/" + c.Config.Name + "/members/"
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return nil
}

// register puts this node's key under a new lease and a new member id, and
// starts the lease's keepalive.
func (p *etcdProvider) register() error {
	ctx, cancel := context.WithTimeout(p.ctx, etcdCallTimeout)
	defer cancel()
	grant, err := p.client.Grant(ctx, int64((p.ttl+time.Second-1)/time.Second))
	if err != nil {
		return fmt.Errorf("grant lease: %w", err)
	}
	p.mu.Lock()
	p.seq++
	id := fmt.Sprintf("%s-%d", p.cluster.ActorSystem.ID, p.seq)
	p.mine[id] = true
	p.mu.Unlock()
	value, err := json.Marshal(etcdMember{ID: id, Host: p.host, Port: p.port, Kinds: p.kinds})
	if err != nil {
		return err
	}
	if _, err := p.client.Put(ctx, p.prefix+id, string(value), clientv3.WithLease(grant.ID)); err != nil {
		p.revoke(grant.ID)
		return fmt.Errorf("put member key: %w", err)
	}
	p.mu.Lock()
	p.self = &pa.Member{Id: id, Host: p.host, Port: int32(p.port), Kinds: p.kinds}
	p.lease = grant.ID
	p.granted = time.Duration(grant.TTL) * time.Second
	p.mu.Unlock()
	return nil
}

// revoke drops a lease that is no longer ours, best effort: when etcd is
// unreachable it expires on its own.
func (p *etcdProvider) revoke(lease clientv3.LeaseID) {
	ctx, cancel := context.WithTimeout(p.ctx, etcdCallTimeout)
	defer cancel()
	_, _ = p.client.Revoke(ctx, lease)
}

// leaseLoop keeps the registration alive and, when it is lost, takes this
// node out of the topology and registers it again.
func (p *etcdProvider) leaseLoop() {
	defer p.wg.Done()
	for {
		p.keepAlive()
		if p.ctx.Err() != nil {
			return
		}
		p.mu.Lock()
		old, lease := p.self, p.lease
		p.self, p.lease = nil, 0
		p.mu.Unlock()
		p.publish()
		p.logger.Warn("out of the cluster: etcd registration lost; re-registering",
			"member_id", old.Id, "lease_ttl", p.ttl)
		p.revoke(lease)
		if !p.reregister() {
			return
		}
		p.mu.Lock()
		id := p.self.Id
		p.mu.Unlock()
		p.publish()
		p.logger.Info("back in the cluster", "member_id", id, "old_member_id", old.Id)
	}
}

// keepAlive returns when the current lease is lost: no keepalive succeeded
// for the TTL, etcd reports it expired or revoked, our key was deleted, or
// the provider is stopping.
func (p *etcdProvider) keepAlive() {
	p.mu.Lock()
	lease, ttl := p.lease, max(p.ttl, p.granted)
	p.mu.Unlock()
	ctx, cancel := context.WithCancel(p.ctx)
	defer cancel() // stops the client's keepalive of this lease
	responses, err := p.client.KeepAlive(ctx, lease)
	if err != nil {
		return
	}
	last := time.Now()
	tick := time.NewTicker(max(ttl/10, 50*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-p.lost:
			return
		case r, ok := <-responses:
			if !ok {
				return // expired or revoked (the client closes on TTL <= 0)
			}
			if time.Since(last) >= ttl {
				return // the process was paused: the lease may be gone
			}
			last = time.Now()
			ttl = max(ttl, time.Duration(r.TTL)*time.Second)
		case <-tick.C:
			if p.cluster.ActorSystem.IsStopped() {
				// Cluster.Shutdown(false) does not call the provider.
				p.cancel()
				go p.Shutdown(false)
				return
			}
			if time.Since(last) >= ttl {
				return
			}
		}
	}
}

// reregister retries register with backoff; false when stopping.
func (p *etcdProvider) reregister() bool {
	// A deletion seen while we were out was of an old key.
	select {
	case <-p.lost:
	default:
	}
	backoff := etcdMinBackoff
	for {
		err := p.register()
		if err == nil {
			return true
		}
		p.logger.Debug("etcd re-registration failed", "err", err, "retry_in", backoff)
		if !sleep(p.ctx, backoff) {
			return false
		}
		backoff = min(2*backoff, etcdMaxBackoff)
	}
}

// load replaces the view of the members with etcd's and returns the
// revision it was read at.
func (p *etcdProvider) load(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, etcdCallTimeout)
	defer cancel()
	res, err := p.client.Get(ctx, p.prefix, clientv3.WithPrefix())
	if err != nil {
		return 0, fmt.Errorf("get members: %w", err)
	}
	members := map[string]*pa.Member{}
	for _, kv := range res.Kvs {
		if m, err := p.decode(kv.Value); err == nil {
			members[m.Id] = m
		}
	}
	p.mu.Lock()
	p.members = members
	p.mu.Unlock()
	return res.Header.Revision, nil
}

func (p *etcdProvider) decode(value []byte) (*pa.Member, error) {
	var m etcdMember
	if err := json.Unmarshal(value, &m); err != nil || m.ID == "" {
		p.logger.Warn("ignoring an unreadable etcd member", "value", string(value), "err", err)
		return nil, errors.New("bad member")
	}
	return &pa.Member{Id: m.ID, Host: m.Host, Port: int32(m.Port), Kinds: m.Kinds}, nil
}

// watchLoop applies every change under the prefix from revision rev+1 on.
// When the watch fails (compaction, cancelled by the server) it reads the
// members again and watches from there.
func (p *etcdProvider) watchLoop(rev int64) {
	defer p.wg.Done()
	backoff := etcdMinBackoff
	for {
		if rev == 0 {
			var err error
			if rev, err = p.load(p.ctx); err != nil {
				if !sleep(p.ctx, backoff) {
					return
				}
				backoff = min(2*backoff, etcdMaxBackoff)
				continue
			}
			backoff = etcdMinBackoff
			p.publish()
		}
		rev = p.watch(rev)
		if p.ctx.Err() != nil {
			return
		}
	}
}

// watch follows the prefix from rev+1 until the watch ends. It returns the
// last revision applied, or 0 when events may have been missed.
func (p *etcdProvider) watch(rev int64) int64 {
	ctx, cancel := context.WithCancel(p.ctx)
	defer cancel()
	for res := range p.client.Watch(ctx, p.prefix, clientv3.WithPrefix(), clientv3.WithRev(rev+1)) {
		if err := res.Err(); err != nil {
			p.logger.Warn("etcd watch failed; reloading members", "err", err)
			return 0
		}
		p.apply(res.Events)
		rev = res.Header.Revision
	}
	return 0 // closed: cancelled, or the client gave up
}

func (p *etcdProvider) apply(events []*clientv3.Event) {
	if len(events) == 0 {
		return
	}
	p.mu.Lock()
	for _, ev := range events {
		id := strings.TrimPrefix(string(ev.Kv.Key), p.prefix)
		switch ev.Type {
		case clientv3.EventTypePut:
			if m, err := p.decode(ev.Kv.Value); err == nil {
				p.members[m.Id] = m
			}
		case clientv3.EventTypeDelete:
			delete(p.members, id)
			if p.self != nil && id == p.self.Id {
				select {
				case p.lost <- struct{}{}:
				default:
				}
			}
		}
	}
	p.mu.Unlock()
	p.publish()
}

// publish reports the members to Proto.Actor: etcd's view without this
// process's registrations, plus this node while it is in.
func (p *etcdProvider) publish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	members := make([]*pa.Member, 0, len(p.members)+1)
	for id, m := range p.members {
		if !p.mine[id] {
			members = append(members, m)
		}
	}
	if p.self != nil {
		members = append(members, p.self)
	}
	p.cluster.MemberList.UpdateClusterTopology(members)
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
