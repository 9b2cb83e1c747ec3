// Package metrics defines the server's Prometheus metrics in one place.
// cmd/bunnybook creates one Set on its own registry and hands it to the
// gateway, the grains and the API; /metrics exposes the registry.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Set is every metric the server exports. All fields are safe for
// concurrent use.
type Set struct {
	// Gateway.
	ConnsOpen     prometheus.Gauge
	ConnsAccepted prometheus.Counter
	ConnsRefused  *prometheus.CounterVec // by reason: unauthorized, origin, bad_request, rate_limited, busy (refused upgrades); too_many_connections, unavailable (closed before hello)
	FramesIn      *prometheus.CounterVec // client frames by type
	FramesOut     prometheus.Counter     // frames written to clients
	WSRateLimited prometheus.Counter     // client frames refused by the per-connection limit

	// Cluster and grains.
	ClusterMembers     prometheus.Gauge       // members this node sees, itself included
	MembershipChanges  *prometheus.CounterVec // members that joined or left this node's view, by change
	ProfileGrains      prometheus.Gauge
	ConversationGrains prometheus.Gauge
	MessagesAcked      prometheus.Counter
	BatchSize          prometheus.Histogram // chat messages per transaction that stores some (of every conversation in a round)
	ReadMarkBatchSize  prometheus.Histogram // read marks per chat transaction that stores some
	BatchLatency       prometheus.Histogram // seconds per chat transaction
	SendLatency        prometheus.Histogram // seconds from reading a chat.send to queueing its chat.ack
	PresenceLookups    prometheus.Counter   // Presence.Online calls

	// REST.
	RESTRateLimited prometheus.Counter
}

// New creates the metrics and registers them, with the Go runtime and
// process collectors, on reg.
func New(reg prometheus.Registerer) *Set {
	s := &Set{
		ConnsOpen:     prometheus.NewGauge(prometheus.GaugeOpts{Name: "bunnybook_ws_connections_open", Help: "Open websocket connections on this node."}),
		ConnsAccepted: prometheus.NewCounter(prometheus.CounterOpts{Name: "bunnybook_ws_connections_accepted_total", Help: "Websocket upgrades accepted."}),
		ConnsRefused:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bunnybook_ws_connections_refused_total", Help: "Websocket upgrades refused, by reason."}, []string{"reason"}),
		FramesIn:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bunnybook_ws_frames_received_total", Help: "Client frames received, by type."}, []string{"type"}),
		FramesOut:     prometheus.NewCounter(prometheus.CounterOpts{Name: "bunnybook_ws_frames_sent_total", Help: "Frames written to clients."}),
		WSRateLimited: prometheus.NewCounter(prometheus.CounterOpts{Name: "bunnybook_ws_rate_limited_total", Help: "Client frames refused by the per-connection rate limit."}),

		ClusterMembers: prometheus.NewGauge(prometheus.GaugeOpts{Name: "bunnybook_cluster_members", Help: "Cluster members this node sees, itself included."}),
		MembershipChanges: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bunnybook_cluster_membership_changes_total", Help: "Members that joined or left this node's view of the cluster."},
			[]string{"change"}),
		ProfileGrains:      prometheus.NewGauge(prometheus.GaugeOpts{Name: "bunnybook_profile_grains_active", Help: "Profile grains active on this node."}),
		ConversationGrains: prometheus.NewGauge(prometheus.GaugeOpts{Name: "bunnybook_conversation_grains_active", Help: "Conversation grains active on this node."}),
		MessagesAcked:      prometheus.NewCounter(prometheus.CounterOpts{Name: "bunnybook_chat_messages_acked_total", Help: "Chat messages stored and acknowledged."}),
		BatchSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bunnybook_chat_commit_batch_size", Help: "Chat messages per transaction (the node's conversations commit together).",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}}),
		ReadMarkBatchSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bunnybook_chat_commit_read_marks", Help: "Read marks per chat transaction (they commit with the messages).",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}}),
		BatchLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bunnybook_chat_commit_seconds", Help: "Time to store one round of chat messages and read marks.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		SendLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bunnybook_chat_send_seconds", Help: "Time from reading a chat.send frame to queueing its chat.ack (or error) on the connection.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		PresenceLookups: prometheus.NewCounter(prometheus.CounterOpts{Name: "bunnybook_presence_lookups_total", Help: "Presence registry lookups."}),

		RESTRateLimited: prometheus.NewCounter(prometheus.CounterOpts{Name: "bunnybook_rest_rate_limited_total", Help: "REST requests refused with 429."}),
	}
	reg.MustRegister(
		s.ConnsOpen, s.ConnsAccepted, s.ConnsRefused, s.FramesIn, s.FramesOut, s.WSRateLimited,
		s.ClusterMembers, s.MembershipChanges, s.ProfileGrains, s.ConversationGrains, s.MessagesAcked, s.BatchSize, s.ReadMarkBatchSize, s.BatchLatency, s.SendLatency, s.PresenceLookups,
		s.RESTRateLimited,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return s
}

// Discard returns a Set registered nowhere, for code run without metrics (tests).
func Discard() *Set { return New(prometheus.NewRegistry()) }
