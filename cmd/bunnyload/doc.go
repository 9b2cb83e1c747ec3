// Command bunnyload is Bunnybook's load generator. It drives many
// authenticated websocket connections and REST calls against one or more
// servers, only through the public protocol (package client), so it
// measures what users get.
//
// A run has three phases: ramp (open the connections), measure (run the
// scenario for --duration) and drain (keep reading for a few seconds so
// late messages still count). Latencies go into HDR histograms; counters
// and gauges are kept per target. With --workers W the coordinator
// re-executes itself as W worker processes, each with a share of the
// connections, which stream one JSON line of interval metrics per second
// back on stdout; the coordinator merges them, prints a progress line,
// and writes the summary table and the JSON and HTML reports.
//
// See docs/load.md for how to use it.
package main
