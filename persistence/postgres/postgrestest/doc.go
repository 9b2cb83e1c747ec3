// Package postgrestest gives tests of any package a migrated PostgreSQL
// store in a schema of their own, in the database named by
// BUNNYBOOK_TEST_DATABASE_URL, dropped when the test ends. It lives apart
// from package postgres so that the server binary does not link the
// testing package.
package postgrestest
