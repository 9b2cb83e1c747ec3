// Package sqlitetest opens throwaway SQLite stores for tests of any
// package. It lives apart from package sqlite so that the server binary
// does not link the testing package.
package sqlitetest
