#!/usr/bin/env bash
# Performance measurements of mxprobe, side by side with their bounds and
# targets (docs/benchmarks.md explains each one):
#
#   1. check against the lab (20 ms per DNS answer and SMTP reply) vs the
#      critical path (sequential round trips × 20 ms)
#   2. one SMTP dialogue up to RCPT: mxprobe vs swaks --quit-after RCPT
#   3. explain --lines throughput; logscan of a 100 MB Postfix log (MB/s, RSS)
#   4. bulk check of 1,000 lab domains at --concurrency 100 (wall, peak RSS)
#   5. `mxprobe explain 5.7.1` as a whole process
#   6. the DNS check set of one domain vs its longest dependent lookup chain
#
#   bash scripts/bench.sh [--quick] [--runs N] [--out FILE] [--keep]
#
# Installs what it needs with apt-get when missing (swaks, libnet-ssleay-perl,
# hyperfine, time, python3, perl; as root or through sudo), builds mxprobe
# from this checkout, runs every measurement several times and prints the
# median with the load at that moment; the full report (with the raw
# outputs) goes to the results file. Loopback only: the labs listen on
# 127.0.0.0/8, nothing talks to the internet. A few minutes (--quick: less).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=5     # repetitions of each measurement (go test -count, binary runs)
HRUNS=15   # hyperfine runs for the SMTP comparison
BULKRUNS=3 # the bulk runs take seconds each
KEEP=0
OUT=""
LAT=20 # ms added per DNS answer and SMTP reply

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case $1 in
	--quick) RUNS=3 HRUNS=6 BULKRUNS=1 ;;
	--runs)
		RUNS=${2:?--runs N}
		HRUNS=$((RUNS * 3))
		shift
		;;
	--out)
		OUT=${2:?--out FILE}
		shift
		;;
	--keep) KEEP=1 ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "bench: unknown argument $1 (try --help)" >&2
		exit 2
		;;
	esac
	shift
done
case $RUNS in '' | *[!0-9]* | 0)
	echo "bench: --runs needs a positive number" >&2
	exit 2
	;;
esac
[ "$BULKRUNS" -le "$RUNS" ] || BULKRUNS=$RUNS

export PATH="$PATH:/usr/local/go/bin"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mxprobe-bench.XXXXXX")
OUT=${OUT:-${TMPDIR:-/tmp}/mxprobe-bench-$(date +%Y%m%d-%H%M%S).txt}
: >"$OUT"
ROWS=$WORK/rows.tsv
: >"$ROWS"
LABPID=""

cleanup() {
	stop_lab
	if [ "$KEEP" = 1 ]; then
		echo "bench: work files kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# say prints a progress line and records it; raw appends a file to the report.
say() { printf 'bench: %s\n' "$*" | tee -a "$OUT"; }
raw() {
	{
		printf '\n--- %s\n' "$1"
		cat "$2"
	} >>"$OUT"
}
die() {
	printf 'bench: %s\n' "$*" | tee -a "$OUT" >&2
	exit 1
}

# load is the 1-minute load average and, where the kernel has PSI, the share
# of the last 10 s in which some task waited for a CPU.
load() {
	local l p=""
	l=$(cut -d' ' -f1 /proc/loadavg)
	if [ -r /proc/pressure/cpu ]; then
		p=$(awk '/^some/{sub("avg10=","",$2); printf " cpu-wait %.0f%%", $2}' /proc/pressure/cpu)
	fi
	echo "load $l$p"
}

# row adds a line to the summary table: section, measurement, median,
# bound or reference, ratio, target, met, load.
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$ROWS"; }

us_now() { echo $(($(date +%s%N) / 1000)); } # microseconds
maxint() { printf '%s\n' "$@" | sort -n | tail -1; }

# ---------------------------------------------------------------- tools
install_tools() {
	local need=() sudo=""
	command -v swaks >/dev/null || need+=(swaks libnet-ssleay-perl)
	command -v hyperfine >/dev/null || need+=(hyperfine)
	[ -x /usr/bin/time ] || need+=(time)
	command -v python3 >/dev/null || need+=(python3)
	command -v perl >/dev/null || need+=(perl)
	[ ${#need[@]} -gt 0 ] || return 0
	command -v apt-get >/dev/null || die "please install: ${need[*]}"
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || die "please install (as root): ${need[*]}"
		sudo=sudo
	fi
	say "installing ${need[*]} (apt-get)"
	if ! $sudo apt-get install -y "${need[@]}" >>"$WORK/apt.log" 2>&1; then
		$sudo apt-get update >>"$WORK/apt.log" 2>&1 || true
		$sudo apt-get install -y "${need[@]}" >>"$WORK/apt.log" 2>&1 || {
			cat "$WORK/apt.log" >&2
			die "apt-get install ${need[*]} failed"
		}
	fi
}
install_tools
command -v go >/dev/null || die "Go is needed (https://go.dev/dl/)"

# The analysis helper: medians and the parsing of JSON reports.
cat >"$WORK/an.py" <<'PY'
import json, re, statistics, sys

def med(xs):
    xs = [float(x) for x in xs]
    return statistics.median(xs) if xs else float("nan")

def smtp_rt(s):
    # Round trips of one session: the banner plus every change from client
    # to server lines (commands sent together in one pipelined group count once).
    n, last = 0, "C"
    for l in s.get("transcript") or []:
        d = l.get("dir")
        if d == "S" and last != "S":
            n += 1
        if d in ("C", "S"):
            last = d
    return n

def first_session(rep):
    for h in rep.get("mx") or []:
        for a in h.get("addresses") or []:
            if a.get("smtp"):
                return a["smtp"]
    return None

def check(path, lat):
    # One check report: its own duration, and the critical path: MX lookup +
    # address lookup + the session's round trips, × the latency.
    rep = json.load(open(path))
    s = first_session(rep)
    rt = smtp_rt(s) if s else 0
    print("%.1f %d %.0f %s" % (rep["duration_ms"], rt, (2 + rt) * lat, rep["verdict"]))

def bulk(path, lat):
    n = inc = slow = 0
    crit = []
    for line in open(path):
        rep = json.loads(line)
        n += 1
        inc += rep["verdict"] == "incomplete"
        slow += rep["duration_ms"] > 1900
        s = first_session(rep)
        if s:
            crit.append((2 + smtp_rt(s)) * lat)
    print("%d %d %d %.0f" % (n, inc, slow, med(crit)))

def duration(path):
    print("%.1f" % json.load(open(path))["duration_ms"])

def hf(path):
    # hyperfine --export-json: median, min and mean user + system CPU time
    # per command, in ms.
    for r in json.load(open(path))["results"]:
        print("%.1f %.1f %.1f" % (r["median"] * 1000, r["min"] * 1000, (r["user"] + r["system"]) * 1000))

def gobench(path, name, unit):
    # Median of one metric over the -count lines of one benchmark.
    vals = []
    for line in open(path):
        f = line.split()
        if not f or re.sub(r"-\d+$", "", f[0]) != name:
            continue
        for i in range(2, len(f) - 1):
            if f[i + 1] == unit:
                vals.append(f[i])
    if not vals:
        print("n/a")
        return
    v = med(vals)
    print("%.0f" % v if abs(v) >= 1000 else "%.1f" % v if abs(v) >= 10 else "%.2f" % v)

def swaks_rt(path):
    # Round trips in a swaks transcript: groups of server lines (<- / <~).
    n, last = 0, "C"
    for l in open(path, errors="replace"):
        d = "S" if l.startswith(("<-", "<~")) else "C" if l.lstrip().startswith(("->", "~>")) else None
        if d == "S" and last != "S":
            n += 1
        if d:
            last = d
    print(n)

def stats(*xs):
    xs = [float(x) for x in xs]
    print("%.1f %.1f %.1f" % (med(xs), min(xs), max(xs)))

def table(path):
    rows = [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
    rows.sort(key=lambda r: int(r[0]))  # stable: the order within a section stays
    head = ["#", "measurement", "median", "bound / reference", "ratio", "target", "met", "load at the time"]
    w = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    for r in [head, ["-" * x for x in w]] + rows:
        print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip())

fn = globals()[sys.argv[1]]
args = sys.argv[2:]
if fn in (check, bulk):
    fn(args[0], float(args[1]))
else:
    fn(*args)
PY
an() { python3 "$WORK/an.py" "$@"; }
# ratio A B: A / B with two decimals; met V OP T: "yes" or "no".
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2f' % (a/b) if b else 'n/a')" "$1" "$2"; }
met() { python3 -c "import sys,operator as o; v,t=sys.argv[1],float(sys.argv[3]); print('n/a' if v in ('n/a','nan') else ('yes' if {'le':o.le,'ge':o.ge,'lt':o.lt}[sys.argv[2]](float(v),t) else 'no'))" "$1" "$2" "$3"; }

# ---------------------------------------------------------------- setup
export NO_COLOR=1 LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$WORK/state"
unset MXPROBE_LAB_LATENCY MXPROBE_LAB_BULK MXPROBE_RESOLVER || true
M=$WORK/mxprobe

{
	echo "mxprobe benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
	if c=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null); then
		git -C "$ROOT" diff --quiet HEAD 2>/dev/null || c="$c (the working tree has uncommitted changes)"
	else
		c="? (not a git checkout)"
	fi
	echo "commit   $c"
	echo "machine  $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr)"
	echo "tools    $(go version | cut -d' ' -f3-), $(hyperfine --version), swaks $(swaks --version 2>/dev/null | awk '/version/{print $3; exit}')"
	echo "runs     $RUNS per measurement (hyperfine $HRUNS, bulk $BULKRUNS); medians; $(load) at the start"
} | tee -a "$OUT"

say "building mxprobe"
(cd "$ROOT" && go build -trimpath -o "$M" ./cmd/mxprobe) || die "go build failed"

say "generating test data"
LINES=$WORK/replies-100k.txt
tail -n +2 "$ROOT/testdata/statuscode/sisimai-reply-lines.tsv" | cut -f1 |
	awk -v n=100000 '{a[NR]=$0} END{for(i=0;i<n;i++) print a[i%NR+1]}' >"$LINES"
NLINES=$(wc -l <"$LINES")
# A 100 MB Postfix log from the fixture: every copy gets fresh queue ids.
LOG=$WORK/postfix-100mb.log
perl -e '
	my ($src, $target) = @ARGV;
	open(my $f, "<", $src) or die "$src: $!";
	my @l = map { chomp; "$_\n" } grep { /\S/ } <$f>;
	my ($n, $i) = (0, 0);
	while ($n < $target) {
		my $p = sprintf("%05X", $i++ % 0x100000);
		for (@l) { (my $x = $_) =~ s/\b[0-9A-F]{5}([0-9A-F]{5}):/$p$1:/g; print $x; $n += length $x }
	}' "$ROOT/testdata/logscan/postfix.log" $((100 * 1024 * 1024)) >"$LOG"
LOGSIZE=$(stat -c %s "$LOG")
head -c $((10 * 1024 * 1024)) "$LOG" | sed '$d' >"$WORK/postfix-10mb.log"
LIST=$WORK/bulk-1000.txt
seq 1 1000 | sed 's/^/bulk/; s/$/.lab.test/' >"$LIST"

# ---------------------------------------------------------------- labs
# start_lab LATENCY BULK: `mxprobe lab` in the background; sets DNS, PORT, CA.
start_lab() {
	local out=$WORK/lab.out i
	MXPROBE_LAB_LATENCY=$1 MXPROBE_LAB_BULK=$2 "$M" lab --ca-out "$WORK/lab-ca.pem" >"$out" 2>"$WORK/lab.err" &
	LABPID=$!
	for i in $(seq 1 200); do
		grep -q '^  HTTPS' "$out" 2>/dev/null && break
		kill -0 "$LABPID" 2>/dev/null || die "mxprobe lab did not start: $(cat "$WORK/lab.err")"
		sleep 0.1
	done
	DNS=$(awk '/^  DNS/{print $2}' "$out")
	PORT=$(awk '/^  SMTP/{print $NF}' "$out")
	CA=$WORK/lab-ca.pem
	{ [ -n "$DNS" ] && [ -n "$PORT" ]; } || die "cannot parse the lab's addresses: $(cat "$out")"
	say "lab (latency $1) at DNS $DNS, SMTP port $PORT$(grep -q '^  HTTPS 127.0.0.1:443 ' "$out" || echo '; port 443 busy, so MTA-STS fetches fail (they run beside the critical path)')"
}
stop_lab() {
	if [ -n "$LABPID" ]; then
		kill "$LABPID" 2>/dev/null || true
		wait "$LABPID" 2>/dev/null || true
		LABPID=""
	fi
}

# ---------------------------------------------------------------- Go benchmarks
say "Go benchmarks ($(load))"
GOB=$WORK/go-bench.txt
GOBULK=$WORK/go-bench-bulk.txt
(cd "$ROOT" && go test -p 1 -run '^$' -benchtime 5x -count "$RUNS" \
	-bench '^(BenchmarkCheckCriticalPath|BenchmarkDNSCheckSet|BenchmarkDialogue20ms|BenchmarkExplainLines|BenchmarkScan)$' \
	./internal/check/ ./internal/mxdialog/ ./internal/cli/ ./internal/logscan/) >"$GOB" 2>&1 ||
	say "go test -bench failed (see the report); going on"
GOLOAD=$(load)
(cd "$ROOT" && go test -run '^$' -benchtime 1x -count "$BULKRUNS" -bench '^BenchmarkCheckBulk$' ./internal/check/) >"$GOBULK" 2>&1 ||
	say "go test -bench CheckBulk failed (see the report); going on"
GOBULKLOAD=$(load)
raw "go test -bench (load after: $GOLOAD)" "$GOB"
raw "go test -bench CheckBulk (load after: $GOBULKLOAD)" "$GOBULK"

# ---------------------------------------------------------------- 1, 2, 6 with a lab at 20 ms
start_lab "${LAT}ms" 0
COMMON=(--resolver "$DNS" --port "$PORT" --ca-file "$CA" --helo client.sender.lab.test --from x@sender.lab.test --dnsbl bl.lab.test --timeout 30s)

say "1. check ok.lab.test vs its critical path ($(load))"
L1=$(load)
walls=() durs=() rts=""
for i in $(seq 1 "$RUNS"); do
	t0=$(us_now)
	"$M" check ok.lab.test "${COMMON[@]}" -o json >"$WORK/check.json" || true
	t1=$(us_now)
	read -r dur rt crit verdict <<<"$(an check "$WORK/check.json" "$LAT")"
	walls+=($(((t1 - t0) / 1000)))
	durs+=("$dur")
	rts="$rt"
done
read -r dmed _ _ <<<"$(an stats "${durs[@]}")"
read -r wmed _ _ <<<"$(an stats "${walls[@]}")"
say "   critical path: MX + address lookup + $rts SMTP round trips = $((2 + rts)) × ${LAT} ms = $crit ms (verdict $verdict)"
say "   check.Run ${durs[*]} ms; whole process ${walls[*]} ms"
gx=$(an gobench "$GOB" BenchmarkCheckCriticalPath x_critical_path)
gw=$(an gobench "$GOB" BenchmarkCheckCriticalPath wall_ms)
row 1 "check (Go benchmark, in-process)" "${gw} ms" "$crit ms" "$gx" "≤ 1.2 (#7), ≤ 1.25 (#4)" "$(met "$gx" le 1.2)" "$GOLOAD"
r=$(ratio "$dmed" "$crit")
row 1 "check, binary: check's own time" "$dmed ms" "$crit ms" "$r" "≤ 1.2" "$(met "$r" le 1.2)" "$L1"
r=$(ratio "$wmed" "$crit")
row 1 "check, binary: whole process" "$wmed ms" "$crit ms" "$r" "(info: + start-up)" "" "$L1"

say "2. one SMTP dialogue up to RCPT: mxprobe vs swaks (${LAT} ms, $(load))"
smtp_compare() { # LATENCY-LABEL
	local lbl=$1 j=$WORK/hf-smtp-$1.json l
	local sw=(swaks --server "127.0.0.10:$PORT" --to postmaster@ok.lab.test --from x@sender.lab.test --helo client.sender.lab.test --quit-after RCPT)
	local mx="$M check ok.lab.test ${COMMON[*]} --no-accept-all-test"
	"${sw[@]}" >"$WORK/swaks-plain.txt" 2>&1 || true
	"${sw[@]}" --tls >"$WORK/swaks-tls.txt" 2>&1 || true
	"$M" check ok.lab.test "${COMMON[@]}" --no-accept-all-test -o json >"$WORK/check-1.json" || true
	local rtp rtt rtm
	rtp=$(an swaks_rt "$WORK/swaks-plain.txt")
	rtt=$(an swaks_rt "$WORK/swaks-tls.txt")
	read -r _ rtm _ _ <<<"$(an check "$WORK/check-1.json" "$LAT")"
	l=$(load)
	hyperfine -N -i -w 2 -r "$HRUNS" --export-json "$j" \
		-n mxprobe "$mx" -n swaks "${sw[*]}" -n "swaks --tls" "${sw[*]} --tls" >"$WORK/hf-smtp-$lbl.txt" 2>&1 ||
		die "hyperfine failed: $(cat "$WORK/hf-smtp-$lbl.txt")"
	raw "hyperfine, SMTP dialogue at $lbl ($l)" "$WORK/hf-smtp-$lbl.txt"
	local m s st mc sc stc
	{
		read -r m _ mc
		read -r s _ sc
		read -r st _ stc
	} <<<"$(an hf "$j")"
	say "   $lbl: mxprobe $m ms (DNS 2 + SMTP $rtm round trips, STARTTLS, sender checks beside; CPU $mc ms), swaks $s ms ($rtp round trips; CPU $sc ms), swaks --tls $st ms ($rtt round trips; CPU $stc ms)"
	local r1 r2
	r1=$(ratio "$st" "$m")
	r2=$(ratio "$s" "$m")
	row 2 "SMTP to RCPT at $lbl: swaks --tls ÷ mxprobe" "$m ms" "$st ms" "$r1" "> 1 (mxprobe faster)" "$(met "$r1" ge 1)" "$l"
	row 2 "SMTP to RCPT at $lbl: swaks (no TLS) ÷ mxprobe" "$m ms" "$s ms" "$r2" "(info)" "" "$l"
}
smtp_compare "${LAT}ms"

say "6. DNS check set, whole process against the lab ($(load))"
L6=$(load)
walls=()
for i in $(seq 1 "$RUNS"); do
	t0=$(us_now)
	"$M" dns ok.lab.test --resolver "$DNS" --ip 127.0.0.1 --from a@sender.lab.test -o json >"$WORK/dns.json" || true
	t1=$(us_now)
	walls+=($(((t1 - t0) / 1000)))
done
read -r dnswall _ _ <<<"$(an stats "${walls[@]}")"
stop_lab

start_lab 0 0
COMMON=(--resolver "$DNS" --port "$PORT" --ca-file "$CA" --helo client.sender.lab.test --from x@sender.lab.test --dnsbl bl.lab.test --timeout 30s)
say "2. one SMTP dialogue up to RCPT without added latency ($(load))"
smtp_compare "0ms"
stop_lab

say "6. DNS check set, in-process lab ($(load))"
CHAIN=$((3 * LAT)) # MX → A/AAAA of the MX → PTR of its address (BenchmarkDNSCheckSet)
durs=()
for i in $(seq 1 "$RUNS"); do
	MXPROBE_LAB_LATENCY=${LAT}ms "$M" dns --lab ok.lab.test --ip 127.0.0.1 --from a@sender.lab.test -o json >"$WORK/dns.json" || true
	durs+=("$(an duration "$WORK/dns.json")")
done
read -r dnsdur _ _ <<<"$(an stats "${durs[@]}")"
say "   longest chain: MX → A/AAAA → PTR = 3 × ${LAT} ms = $CHAIN ms; RunDNS ${durs[*]} ms"
gx=$(an gobench "$GOB" BenchmarkDNSCheckSet x_chain)
gw=$(an gobench "$GOB" BenchmarkDNSCheckSet wall_ms)
gv=$(an gobench "$GOB" BenchmarkDNSCheckSet waves)
gv=${gv%.00}
row 6 "dns (Go benchmark; $gv network waves)" "$gw ms" "$CHAIN ms" "$gx" "≤ 1.2" "$(met "$gx" le 1.2)" "$GOLOAD"
r=$(ratio "$dnsdur" "$CHAIN")
row 6 "dns --lab, binary: the checks' own time" "$dnsdur ms" "$CHAIN ms" "$r" "≤ 1.2" "$(met "$r" le 1.2)" "$(load)"
r=$(ratio "$dnswall" "$CHAIN")
row 6 "dns, binary: whole process" "$dnswall ms" "$CHAIN ms" "$r" "(info: + start-up)" "" "$L6"

# ---------------------------------------------------------------- 3
say "3. explain --lines and logscan ($(load))"
L3=$(load)
hyperfine -N -w 1 -r "$RUNS" --export-json "$WORK/hf-lines.json" \
	-n json "$M explain --lines $LINES -o json" -n text "$M explain --lines $LINES" >"$WORK/hf-lines.txt" 2>&1 ||
	die "hyperfine failed: $(cat "$WORK/hf-lines.txt")"
raw "hyperfine, explain --lines ($NLINES lines, $L3)" "$WORK/hf-lines.txt"
{
	read -r lj _ ljc
	read -r lt _ ltc
} <<<"$(an hf "$WORK/hf-lines.json")"
/usr/bin/time -f '%M' -o "$WORK/rss-lines" "$M" explain --lines "$LINES" -o json >/dev/null || true
RSSLINES=$(tail -1 "$WORK/rss-lines")
for f in json text; do
	v=$(an gobench "$GOB" "BenchmarkExplainLines/$f" lines/s)
	c=$(an gobench "$GOB" "BenchmarkExplainLines/$f" lines/cpu-s)
	row 3 "explain --lines $f (Go benchmark; per CPU-s: $c)" "$v lines/s" "" "" "≥ 100000 lines/s" "$(met "$v" ge 100000)" "$GOLOAD"
done
v=$(python3 -c "print(round($NLINES / ($lj / 1000)))")
c=$(python3 -c "print(round($NLINES / ($ljc / 1000)))")
row 3 "explain --lines -o json, binary ($NLINES lines; per CPU-s: $c; RSS $((RSSLINES / 1024)) MB)" "$v lines/s" "$lj ms" "" "≥ 100000 lines/s" "$(met "$v" ge 100000)" "$L3"
v=$(python3 -c "print(round($NLINES / ($lt / 1000)))")
c=$(python3 -c "print(round($NLINES / ($ltc / 1000)))")
row 3 "explain --lines text, binary (per CPU-s: $c)" "$v lines/s" "$lt ms" "" "≥ 100000 lines/s" "$(met "$v" ge 100000)" "$L3"

logscan_run() { # FILE FORMAT-ARGS… → "seconds rss-kB cpu-seconds" per run
	/usr/bin/time -f '%e %M %U %S' -o "$WORK/time.out" "$M" logscan "$@" >/dev/null 2>"$WORK/logscan.err" || true
	# (time writes "Command exited with non-zero status" first)
	tail -1 "$WORK/time.out" | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}'
}
for fmt in text json; do
	L=$(load)
	secs=() rss=() cpus=()
	args=()
	[ "$fmt" = json ] && args=(-o json)
	for i in $(seq 1 "$RUNS"); do
		read -r s k c <<<"$(logscan_run "$LOG" "${args[@]}")"
		secs+=("$s")
		rss+=("$k")
		cpus+=("$c")
	done
	read -r s _ _ <<<"$(an stats "${secs[@]}")"
	read -r c _ _ <<<"$(an stats "${cpus[@]}")"
	kmax=$(maxint "${rss[@]}")
	read -r _ k10 _ <<<"$(logscan_run "$WORK/postfix-10mb.log" "${args[@]}")"
	mbs=$(python3 -c "print('%.0f' % ($LOGSIZE / 1048576 / $s))")
	mbc=$(python3 -c "print('%.0f' % ($LOGSIZE / 1048576 / $c))")
	say "   logscan $fmt: ${secs[*]} s for $((LOGSIZE / 1048576)) MB; peak RSS ${rss[*]} kB (10 MB: $k10 kB)"
	row 3 "logscan $fmt, 100 MB Postfix log (per CPU-s: $mbc MB; peak RSS $((kmax / 1024)) MB, 10 MB: $((k10 / 1024)) MB)" "$mbs MB/s" "$s s" "" "≥ 50 MB/s, flat" "$(met "$mbs" ge 50)" "$L"
done
v=$(an gobench "$GOB" BenchmarkScan MB/s)
row 3 "logscan (Go benchmark, 16 MB in memory)" "$v MB/s" "" "" "≥ 50 MB/s" "$(met "$v" ge 50)" "$GOLOAD"

# ---------------------------------------------------------------- 4
say "4. bulk check of 1,000 lab domains at --concurrency 100 ($(load))"
walls=() rss=() cpus=()
for i in $(seq 1 "$BULKRUNS"); do
	L4=$(load)
	MXPROBE_LAB_LATENCY=${LAT}ms MXPROBE_LAB_BULK=1000 /usr/bin/time -f '%e %M %U %S' -o "$WORK/time.out" \
		"$M" check --lab - -o json --concurrency 100 <"$LIST" >"$WORK/bulk.ndjson" 2>"$WORK/bulk.err" || true
	read -r s k u sy <<<"$(tail -1 "$WORK/time.out")"
	read -r n inc slow bcrit <<<"$(an bulk "$WORK/bulk.ndjson" "$LAT")"
	say "   run $i: $s s, peak RSS $((k / 1024)) MB, CPU ${u}+${sy} s, $n reports, $inc incomplete, $slow checks over 1.9 s ($L4)"
	walls+=("$s")
	rss+=("$k")
	cpus+=("$(python3 -c "print($u + $sy)")")
done
read -r s smin _ <<<"$(an stats "${walls[@]}")"
read -r c _ _ <<<"$(an stats "${cpus[@]}")"
floor=$(python3 -c "print('%.1f' % ($c / $(nproc)))")
kmax=$(maxint "${rss[@]}")
bound=$(python3 -c "print('%.2f' % (10 * $bcrit / 1000))")
r=$(ratio "$s" "$bound")
gx=$(an gobench "$GOBULK" BenchmarkCheckBulk x_bound)
gw=$(an gobench "$GOBULK" BenchmarkCheckBulk wall_s)
gc=$(an gobench "$GOBULK" BenchmarkCheckBulk cpu_s)
row 4 "bulk 1,000 (Go benchmark; CPU $gc s, client + lab)" "$gw s" "$bound s" "$gx" "≤ 1.3" "$(met "$gx" le 1.3)" "$GOBULKLOAD"
row 4 "bulk 1,000, binary check --lab - (incl. lab start; fastest $smin s; CPU $c s: ≥ $floor s on $(nproc) CPUs)" "$s s" "$bound s" "$r" "≤ 1.3" "$(met "$r" le 1.3)" "$L4"
row 4 "bulk 1,000, binary: peak RSS (client + in-process lab)" "$((kmax / 1024)) MB" "" "" "< 200 MB" "$(met $((kmax / 1024)) lt 200)" "$L4"
MXPROBE_LAB_LATENCY=${LAT}ms MXPROBE_LAB_BULK=1000 /usr/bin/time -f '%e %M' -o "$WORK/time.out" \
	"$M" check --lab bulk1.lab.test -o json >/dev/null 2>&1 || true
read -r s1 k1 <<<"$(tail -1 "$WORK/time.out")"
say "   one target alone (lab start + one check): $s1 s, $((k1 / 1024)) MB"

# ---------------------------------------------------------------- 5
say "5. explain 5.7.1 as a whole process ($(load))"
L5=$(load)
hyperfine -N -w 5 -r $((RUNS * 6)) --export-json "$WORK/hf-explain.json" \
	-n explain "$M explain 5.7.1" -n version "$M version" >"$WORK/hf-explain.txt" 2>&1 ||
	die "hyperfine failed: $(cat "$WORK/hf-explain.txt")"
raw "hyperfine, explain 5.7.1 ($L5)" "$WORK/hf-explain.txt"
{
	read -r e emin ec
	read -r v _ _
} <<<"$(an hf "$WORK/hf-explain.json")"
row 5 "explain 5.7.1, whole process (fastest $emin ms, CPU $ec ms)" "$e ms" "$v ms (version)" "" "well under 20 ms" "$(met "$e" lt 20)" "$L5"

# ---------------------------------------------------------------- summary
{
	echo
	echo "Summary ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs; medians of $RUNS runs; $(load) at the end)"
	echo
	an table "$ROWS"
	echo
	echo "Bounds: critical path = (MX lookup + address lookup + SMTP round trips) × ${LAT} ms;"
	echo "DNS chain = MX → A/AAAA → PTR × ${LAT} ms; bulk = 1,000 / 100 waves × one critical path."
	echo "A shared, loaded machine stretches every wall time: compare with the load column."
} | tee -a "$OUT"
echo "bench: took $((SECONDS / 60)) min $((SECONDS % 60)) s; report with the raw outputs: $OUT"
