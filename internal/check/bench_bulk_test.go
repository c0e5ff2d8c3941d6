package check

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mxprobe/mxprobe/internal/lab"
)

// BenchmarkCheckBulk checks the lab's 1,000 bulk domains, 100 at a time
// (like `mxprobe check --lab - --concurrency 100`), with 20 ms added to every
// DNS answer and SMTP reply. The bound is 10 sequential critical paths
// (1,000 / 100 waves × the critical path of one check); target ≤ 1.3×.
// Client and lab share this process and its cores, so the CPU time reported
// (cpu_s, both sides) shows how close the run is to being CPU-bound:
// cpu_s / GOMAXPROCS is the floor for the wall time on this machine.
//
//	go test -run '^$' -bench CheckBulk -benchtime 1x -count 3 ./internal/check/
func BenchmarkCheckBulk(b *testing.B) {
	const (
		lat     = 20 * time.Millisecond
		n       = 1000
		workers = 100
	)
	w, err := lab.Start(lab.Options{DNSDelay: lat, SMTPLatency: lat, Only: []string{"ok.lab.test"}, BulkDomains: n})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	var wall, ratio, cpu, slow, incomplete float64
	for i := 0; i < b.N; i++ {
		// One resolver (and cache) for the whole run, like one process.
		base := labOptions(b, w, "bulk1.lab.test", true)
		base.DKIMSelectors = nil // as the CLI without --dkim-selector: the common selectors
		reps := make([]*Report, n)
		jobs := make(chan int)
		var wg sync.WaitGroup
		cpu0 := cpuTime()
		start := time.Now()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					o := base
					tg, err := ParseTarget(fmt.Sprintf("bulk%d.lab.test", j+1))
					if err != nil {
						b.Error(err)
						continue
					}
					o.Target = tg
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					reps[j] = Run(ctx, o)
					cancel()
				}
			}()
		}
		for j := range n {
			jobs <- j
		}
		close(jobs)
		wg.Wait()
		d := time.Since(start)
		cpu += (cpuTime() - cpu0).Seconds()
		// The critical path of one check: MX + address lookup + the SMTP
		// round trips of its first session (the median over all targets).
		var crits []time.Duration
		for _, r := range reps {
			if r != nil && r.Verdict == "incomplete" {
				incomplete++
			}
			if r == nil || len(r.MX) == 0 || len(r.MX[0].Addresses) == 0 || r.MX[0].Addresses[0].SMTP == nil {
				continue
			}
			crits = append(crits, time.Duration(2+roundTrips(r.MX[0].Addresses[0].SMTP))*lat)
			if r.DurationMS > 1900 {
				slow++
			}
		}
		// On a starved machine a lookup can time out (2 s, one attempt, as
		// with --lab); those checks are counted, not fatal.
		if len(crits) < n/2 {
			b.Fatalf("only %d of %d checks reached SMTP", len(crits), n)
		}
		sort.Slice(crits, func(i, j int) bool { return crits[i] < crits[j] })
		bound := time.Duration(n/workers) * crits[len(crits)/2]
		wall += d.Seconds()
		ratio += float64(d) / float64(bound)
	}
	k := float64(b.N)
	b.ReportMetric(wall/k, "wall_s")
	b.ReportMetric(ratio/k, "x_bound")
	b.ReportMetric(cpu/k, "cpu_s")
	b.ReportMetric(cpu/k/float64(runtime.GOMAXPROCS(0))/(wall/k), "cpu_busy")
	b.ReportMetric(slow/k, "checks>1.9s")
	b.ReportMetric(incomplete/k, "incomplete")
	b.ReportMetric(0, "ns/op")
}

// cpuTime is this process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
