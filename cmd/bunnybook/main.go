// Command bunnybook is the Bunnybook server: REST API, websocket gateway
// and web UI on one port, and a Proto.Actor cluster member.
//
//	bunnybook serve     run the server (see bunnybook serve -help)
//	bunnybook migrate   apply database migrations and exit
//	bunnybook version   print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "bunnybook:", err)
		}
		os.Exit(2)
	}
}

const usage = `usage: bunnybook <command> [flags]

commands:
  serve     run the server (REST, websocket, web UI, cluster member)
  migrate   apply database migrations and exit
  seed      create load-test profiles and friendships in bulk, write users.jsonl
  version   print the version

"bunnybook <command> -help" lists the command's flags and environment variables.`

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stdout, usage)
		return errors.New("no command given")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "bunnybook", version)
		return nil
	case "serve", "migrate":
		fs := flag.NewFlagSet("bunnybook "+cmd, flag.ContinueOnError)
		cfg, err := ParseConfig(fs, args, getenv)
		if err != nil {
			return err
		}
		if cmd == "migrate" {
			return migrate(ctx, cfg)
		}
		return serve(ctx, cfg)
	case "seed":
		return seedCmd(ctx, args, getenv, stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

// serve runs the server until ctx ends, then drains it.
func serve(ctx context.Context, cfg Config) error {
	m := NewMain(cfg)
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	m.Logger.Info("bunnybook serving", "addr", m.Addr(), "version", version, "store", m.storeName)
	select {
	case <-ctx.Done():
		m.Logger.Info("shutting down")
	case err := <-m.serveErr:
		m.Close()
		return err
	}
	return m.Close()
}

// migrate applies the migrations of the configured store.
func migrate(ctx context.Context, cfg Config) error {
	m := NewMain(cfg)
	defer m.Close()
	if err := m.openStore(ctx); err != nil {
		return err
	}
	m.Logger.Info("migrations applied", "store", m.storeName)
	return nil
}
