// Command gendocs writes docs/checks.md, docs/checks/<check-id>.md and the settings and custom
// check fields sections of docs/config.md from the checks' metadata. It runs from go generate (see internal/docs); `akscheck checks -o markdown` prints
// the same index.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/docs"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: gendocs INDEX.md PAGES-DIR CONFIG.md")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(index, dir, config string) error {
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	all := checks.All()
	var b bytes.Buffer
	if err := docs.ChecksMarkdown(&b, cat, all); err != nil {
		return err
	}
	if err := os.WriteFile(index, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", index, err)
	}
	doc, err := os.ReadFile(config)
	if err != nil {
		return err
	}
	if doc, err = docs.WithSettings(doc, all); err != nil {
		return err
	}
	if doc, err = docs.WithFields(doc); err != nil {
		return err
	}
	if err := os.WriteFile(config, doc, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", config, err)
	}
	return docs.WritePages(dir, cat, all)
}
