// Command gendocs regenerates mxprobe's shell completions (completions/) and
// man pages (man/) from the current command tree. Run it from the repository
// root after changing a command, a flag or a help text, and commit the result:
//
//	go run ./cmd/gendocs
//
// The man page date comes from SOURCE_DATE_EPOCH, else the fixed cli.DocsDate,
// so the output is reproducible. -gzip also writes man/*.1.gz for packages
// (ignored by git; used by .goreleaser.yaml).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mxprobe/mxprobe/internal/cli"
)

func main() {
	dir := flag.String("dir", ".", "repository root to write completions/ and man/ into")
	gz := flag.Bool("gzip", false, "also write gzip-compressed man pages (man/*.1.gz) for packages")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./cmd/gendocs [-dir DIR] [-gzip]")
		os.Exit(2)
	}
	if err := run(*dir, *gz); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(dir string, gz bool) error {
	// Refuse to scatter files outside a checkout.
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return fmt.Errorf("%s is not the repository root (no go.mod): run from there or pass -dir", dir)
	}
	date, err := cli.DocsDateFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	if err := cli.GenerateDocs(dir, cli.DocsOptions{Date: date, GzipMan: gz}); err != nil {
		return err
	}
	pages, err := filepath.Glob(filepath.Join(dir, "man", "*.1"))
	if err != nil {
		return err
	}
	fmt.Printf("gendocs: %d man pages in %s, 4 completion scripts in %s (date %s)\n",
		len(pages), filepath.Join(dir, "man"), filepath.Join(dir, "completions"), date.Format("2006-01-02"))
	return nil
}
