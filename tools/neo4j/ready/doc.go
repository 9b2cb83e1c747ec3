// Command ready waits until a Neo4j server answers a real Bolt query.
//
// scripts/services.sh runs it after starting Neo4j: a listening port is not
// enough, because the server accepts Bolt connections a moment before the
// default database can run queries. It runs `RETURN 1` until the answer is 1,
// the timeout passes, or the server process given by -pid exits.
//
//	go run ./tools/neo4j/ready -url bolt://127.0.0.1:7687 -timeout 120s -pid 1234
//
// It exits 0 when the query worked and 1 otherwise, printing the last error.
package main
