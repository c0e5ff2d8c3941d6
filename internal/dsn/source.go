package dsn

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Limits of a mailbox walk.
const (
	maxMaildirFiles = 1_000_000
	maxMboxLine     = 1 << 20
)

// ErrNotMailbox: a directory that is not a maildir.
var ErrNotMailbox = errors.New("dsn: not a maildir")

// Item is one message of a mailbox, for WalkMessages.
type Item struct {
	// Source names the message: the file, "maildir-name/cur/<file>", or
	// "<mbox>#<n>" (1-based).
	Source string
	Data   []byte // at most MaxSize octets
}

// WalkMessages calls fn for every message at path, in mailbox order:
// path "-" is in (one message or an mbox), a directory is a maildir (new/
// and cur/, or plain files), a file that starts with an mbox "From " line
// is an mbox (RFC 4155), any other file one message. Each message is cut at
// MaxSize octets and the rest skipped, so memory stays bounded. It stops at
// the first error fn returns and when ctx ends.
func WalkMessages(ctx context.Context, path string, in io.Reader, fn func(Item) error) error {
	if path == "-" {
		return walkStream(ctx, "-", in, fn)
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() {
		return walkMaildir(ctx, path, fn)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return walkStream(ctx, path, f, fn)
}

func walkMaildir(ctx context.Context, dir string, fn func(Item) error) error {
	subs := []string{"cur", "new"}
	if _, err := os.Stat(filepath.Join(dir, "cur")); err != nil {
		if _, err := os.Stat(filepath.Join(dir, "new")); err != nil {
			subs = []string{""}
		}
	}
	var files []string
	for _, s := range subs {
		ents, err := os.ReadDir(filepath.Join(dir, s))
		if err != nil {
			if s != "" && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return err
		}
		for _, e := range ents {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") && len(files) < maxMaildirFiles {
				files = append(files, filepath.Join(s, e.Name()))
			}
		}
	}
	// Maildir names start with the delivery time (maildir(5)): name order
	// is arrival order.
	sort.Strings(files)
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := readCapped(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := fn(Item{Source: filepath.Join(filepath.Base(dir), name), Data: data}); err != nil {
			return err
		}
	}
	return nil
}

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxSize))
}

// walkStream reads one message, or an mbox when the input starts with a
// "From " line: messages are separated by lines starting with "From ", and
// ">From " quoting (mboxrd) is undone.
func walkStream(ctx context.Context, name string, r io.Reader, fn func(Item) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(5)
	if !bytes.Equal(head, []byte("From ")) {
		data, err := io.ReadAll(io.LimitReader(br, MaxSize))
		if err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, br); err != nil {
			return err
		}
		return fn(Item{Source: name, Data: data})
	}
	var cur bytes.Buffer
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		data := bytes.Clone(cur.Bytes())
		cur.Reset()
		return fn(Item{Source: fmt.Sprintf("%s#%d", name, n), Data: data})
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := readMboxLine(br)
		if len(line) > 0 {
			if bytes.HasPrefix(line, []byte("From ")) {
				if ferr := flush(); ferr != nil {
					return ferr
				}
				n++
			} else if n > 0 && cur.Len() < MaxSize {
				if bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From ")) && line[0] == '>' {
					line = line[1:]
				}
				cur.Write(line[:min(len(line), MaxSize-cur.Len())])
			}
		}
		if err == io.EOF {
			return flush()
		}
		if err != nil {
			return err
		}
	}
}

// readMboxLine returns one line with its end, at most maxMboxLine octets of
// it (the rest of a longer line is skipped).
func readMboxLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(out)+len(frag) <= maxMboxLine {
			out = append(out, frag...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return out, err
	}
}
