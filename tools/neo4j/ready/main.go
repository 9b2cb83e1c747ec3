package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
)

func main() {
	url := flag.String("url", "bolt://127.0.0.1:7687", "Bolt URL of the server")
	user := flag.String("user", "", "user name; empty means no authentication")
	password := flag.String("password", "", "password of -user")
	timeout := flag.Duration("timeout", 120*time.Second, "how long to keep trying")
	pid := flag.Int("pid", 0, "give up as soon as this process is gone (0: no check)")
	flag.Parse()

	start := time.Now()
	if err := wait(*url, *user, *password, *timeout, *pid); err != nil {
		fmt.Fprintf(os.Stderr, "neo4j at %s not ready after %s: %v\n", *url, time.Since(start).Round(time.Millisecond), err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "neo4j at %s answered RETURN 1 after %s\n", *url, time.Since(start).Round(time.Millisecond))
}

// wait polls `RETURN 1` every 250ms until it returns 1 or the deadline passes.
func wait(url, user, password string, timeout time.Duration, pid int) error {
	auth := neo4j.NoAuth()
	if user != "" {
		auth = neo4j.BasicAuth(user, password, "")
	}
	// Short driver timeouts: each attempt must fail fast so the loop, not the
	// driver's own retries, decides when to give up.
	driver, err := neo4j.NewDriverWithContext(url, auth, func(c *config.Config) {
		c.SocketConnectTimeout = 2 * time.Second
		c.ConnectionAcquisitionTimeout = 5 * time.Second
		c.MaxTransactionRetryTime = 0
	})
	if err != nil {
		return fmt.Errorf("create driver: %w", err)
	}
	defer driver.Close(context.Background())

	deadline := time.Now().Add(timeout)
	for {
		err = returnOne(driver)
		if err == nil {
			return nil
		}
		if pid > 0 && !alive(pid) {
			return fmt.Errorf("process %d exited; last error: %w", pid, err)
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// returnOne runs one `RETURN 1` and checks the answer.
func returnOne(driver neo4j.DriverWithContext) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := neo4j.ExecuteQuery(ctx, driver, "RETURN 1 AS one", nil, neo4j.EagerResultTransformer)
	if err != nil {
		return fmt.Errorf("RETURN 1: %w", err)
	}
	if len(res.Records) != 1 {
		return fmt.Errorf("RETURN 1: got %d records, want 1", len(res.Records))
	}
	one, _, err := neo4j.GetRecordValue[int64](res.Records[0], "one")
	if err != nil {
		return fmt.Errorf("RETURN 1: %w", err)
	}
	if one != 1 {
		return errors.New("RETURN 1: got a value other than 1")
	}
	return nil
}

// alive reports whether process pid still exists (signal 0 checks without
// sending anything).
func alive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}
