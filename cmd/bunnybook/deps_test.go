package main

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// notInBinary lists packages the server binary must not link: test
// scaffolding (helpers that fail a testing.TB, or start redis-server) lives
// in the <backend>test packages next to each backend, never in a package
// the server imports.
var notInBinary = []string{"testing", "os/exec"}

// allowedImporters names, per forbidden package, the third-party importers
// that are accepted and why; an importer of our own module never is.
var allowedImporters = map[string]map[string]string{
	"os/exec": {
		// SQLite's C library translated to Go (modernc.org/sqlite) implements
		// system(3) with os/exec; the server never calls it.
		"modernc.org/libc": "system(3) of the pure-Go SQLite",
	},
}

// TestNoTestingInBinary: `go list -deps ./cmd/bunnybook` holds neither
// testing nor os/exec (apart from the importers allowed above), so test
// helpers cannot creep back into production packages.
func TestNoTestingInBinary(t *testing.T) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v (is the go command on PATH?)", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	cmd := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./cmd/bunnybook")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list -deps ./cmd/bunnybook: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list -deps ./cmd/bunnybook: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg, imports := fields[0], fields[1:]
		for _, bad := range notInBinary {
			if !slices.Contains(imports, bad) {
				continue
			}
			if _, ok := allowedImporters[bad][pkg]; ok {
				continue
			}
			t.Errorf("%s imports %s: the server binary must not link it (move test helpers to a <backend>test package)", pkg, bad)
		}
	}
}
