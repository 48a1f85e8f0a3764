package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/gndhq/gnd/app"
	"github.com/gndhq/gnd/config"
)

// serve runs gnd serve (withAPI) or gnd worker.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer, withAPI bool) error {
	name := "serve"
	if !withAPI {
		name = "worker"
	}
	cfg, err := config.Load(name, args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	if !withAPI && cfg.Workers == 0 {
		return fmt.Errorf("gnd worker needs --workers above 0")
	}
	log := app.NewLogger(stderr, cfg.LogFormat, cfg.LogLevel, isTerminal(stderr))
	// Listen first, so a taken port fails before a first key is created
	// and printed.
	var ln net.Listener
	if withAPI {
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
		}
		defer ln.Close()
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.AdminKey != "" {
		fmt.Fprintf(stdout, "Created the first admin API key. It is shown only once, so store it now:\n\n  %s\n\n", a.AdminKey)
	}
	return a.Serve(ctx, ln, func(addr string) {
		if addr != "" {
			fmt.Fprintf(stdout, "listening on http://%s\n", addr)
		} else {
			fmt.Fprintln(stdout, "worker started")
		}
	})
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
