package logscan

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// syntheticLog builds a Postfix+Exim log of about size bytes from the
// fixtures, with fresh queue ids so the Message-ID join does real work, and
// the noise lines real logs are mostly made of.
func syntheticLog(tb testing.TB, size int) []byte {
	var lines [][]byte
	for _, name := range []string{"postfix.log", "exim.log"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "logscan", name))
		if err != nil {
			tb.Fatal(err)
		}
		lines = append(lines, bytes.Split(bytes.TrimSpace(b), []byte("\n"))...)
	}
	var out bytes.Buffer
	for i := 0; out.Len() < size; i++ {
		qid := []byte(fmt.Sprintf("%010X", i))
		for _, l := range lines {
			out.Write(bytes.ReplaceAll(l, []byte("4F2A1B2C3D"), qid))
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

// BenchmarkScan measures throughput (MB/s) of parsing plus summarising.
// go test -run='^$' -bench=Scan -benchmem ./internal/logscan/
func BenchmarkScan(b *testing.B) {
	data := syntheticLog(b, 16<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sc := NewScanner(Options{})
		sum := NewSummary()
		if err := sc.Scan(bytes.NewReader(data), func(r *Record) error { sum.Add(r); return nil }); err != nil {
			b.Fatal(err)
		}
		sum.Finish(sc.Stats())
	}
}

// TestScanLargeStreamFlatMemory streams 64 MB through the scanner without
// holding it: the input is generated on the fly.
func TestScanLargeStreamFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MB")
	}
	chunk := syntheticLog(t, 1<<20)
	r := io.LimitReader(&repeatReader{b: chunk}, 64<<20)
	sc := NewScanner(Options{})
	sum := NewSummary()
	if err := sc.Scan(r, func(rec *Record) error { sum.Add(rec); return nil }); err != nil {
		t.Fatal(err)
	}
	sum.Finish(sc.Stats())
	if sc.Stats().Bytes != 64<<20 || len(sum.Destinations) > 20 {
		t.Fatalf("%+v, %d destinations", sc.Stats(), len(sum.Destinations))
	}
}

type repeatReader struct {
	b   []byte
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := copy(p, r.b[r.off:])
	r.off = (r.off + n) % len(r.b)
	return n, nil
}
