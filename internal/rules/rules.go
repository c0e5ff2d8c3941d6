// Package rules holds the big receivers' published sender requirements as
// data (one rulebook per provider, embedded from books/*.yaml) and scores a
// sender against them: each rule pass, fail or unknown, with the evidence
// that decided it and what to do.
//
// A rule names the measurement that decides it (see Measurements); the
// evaluator (Score) reads that measurement from a typed Facts value that the
// check command fills from its DNS, SMTP, message and website results.
package rules

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/mxprobe/mxprobe/internal/i18n"
)

//go:embed books/*.yaml
var bookFS embed.FS

// Levels a rule applies to.
const (
	LevelAll  = "all"  // every sender
	LevelBulk = "bulk" // bulk / high-volume senders only
)

// Provider names of the rulebooks (the same words as internal/provider).
const (
	Microsoft = "microsoft"
	Google    = "google"
	Yahoo     = "yahoo"
	TOnline   = "t-online"
	GMX       = "gmx"
)

// Source is one page a rulebook was read from.
type Source struct {
	URL  string `yaml:"url"`
	Read string `yaml:"read"` // the date the page was read, YYYY-MM-DD
}

// Rule is one requirement of one provider.
type Rule struct {
	ID      string    `yaml:"id"`
	Level   string    `yaml:"level"`
	Measure string    `yaml:"measure"`
	Source  string    `yaml:"source"`
	Text    i18n.Text `yaml:"-"`
	Advice  i18n.Text `yaml:"-"`

	RawText   map[string]string `yaml:"text"`
	RawAdvice map[string]string `yaml:"advice"`
	// Provider and SourceURL/Read are filled from the book.
	Provider  string `yaml:"-"`
	SourceURL string `yaml:"-"`
	Read      string `yaml:"-"`
}

// Book is one provider's rulebook.
type Book struct {
	Provider string            `yaml:"provider"`
	Name     string            `yaml:"name"`
	Sources  map[string]Source `yaml:"sources"`
	Rules    []Rule            `yaml:"rules"`
}

var (
	loadOnce sync.Once
	books    []Book
	loadErr  error
)

// Books returns every rulebook, in a fixed order (Microsoft, Google, Yahoo,
// T-Online, GMX). The books are embedded; a broken book is a programming
// error caught by the package's tests, so Books panics on it.
func Books() []Book {
	loadOnce.Do(func() { books, loadErr = load(bookFS) })
	if loadErr != nil {
		panic(loadErr)
	}
	return books
}

// BookFor returns the rulebook of provider.
func BookFor(provider string) (Book, bool) {
	for _, b := range Books() {
		if b.Provider == provider {
			return b, true
		}
	}
	return Book{}, false
}

// RuleByID finds a rule in any book.
func RuleByID(id string) (Rule, bool) {
	for _, b := range Books() {
		for _, r := range b.Rules {
			if r.ID == id {
				return r, true
			}
		}
	}
	return Rule{}, false
}

var order = map[string]int{Microsoft: 0, Google: 1, Yahoo: 2, TOnline: 3, GMX: 4}

func load(fsys fs.FS) ([]Book, error) {
	names, err := fs.Glob(fsys, "books/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []Book
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		var b Book
		if err := yaml.Unmarshal(data, &b); err != nil {
			return nil, fmt.Errorf("rules: %s: %w", n, err)
		}
		for i := range b.Rules {
			r := &b.Rules[i]
			r.Provider = b.Provider
			r.Text = i18n.T(strings.TrimSpace(r.RawText["en"]), strings.TrimSpace(r.RawText["de"]))
			r.Advice = i18n.T(strings.TrimSpace(r.RawAdvice["en"]), strings.TrimSpace(r.RawAdvice["de"]))
			src, ok := b.Sources[r.Source]
			if !ok {
				return nil, fmt.Errorf("rules: %s: rule %s names unknown source %q", n, r.ID, r.Source)
			}
			r.SourceURL, r.Read = src.URL, src.Read
		}
		out = append(out, b)
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Provider] < order[out[j].Provider] })
	return out, nil
}

// ForProvider maps an operator (name and kind of internal/provider) to its
// rulebook: the Microsoft book is Outlook.com's, the consumer service (an
// Exchange Online tenant follows its own organisation's rules); GMX, WEB.DE
// and IONOS (1&1) share one policy.
func ForProvider(name, kind string) (string, bool) {
	switch name {
	case Microsoft:
		return Microsoft, kind != "tenant" && kind != "gateway"
	case Google, Yahoo, TOnline, GMX:
		return name, true
	case "webde", "ionos":
		return GMX, true
	}
	return "", false
}
