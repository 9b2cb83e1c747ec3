// Package neo4jtest gives tests of any package a Neo4j graph in a
// namespace of their own, on the server named by BUNNYBOOK_TEST_NEO4J_URL
// or BUNNYBOOK_NEO4J_URL, and a TCP Proxy to cut to play an outage. It
// lives apart from package neo4j so that the server binary does not link
// the testing package.
package neo4jtest
