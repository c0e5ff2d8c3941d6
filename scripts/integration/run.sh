#!/usr/bin/env bash
# mxprobe against real mail servers: Postfix (receiving MX hosts and a sending MTA),
# Dovecot (IMAP + LMTP) and NSD, all from Debian's packages, on loopback addresses
# 127.0.2.x only, inside a network namespace of its own when `ip netns` works.
# Independent of the Go test suite's lab. See docs/integration.md.
#
# Usage: scripts/integration/run.sh            (as root; installs what it needs)
# Environment:
#   MXPROBE_INTEGRATION_REQUIRED=1  a skip (no root, no apt, no loopback) is a failure
#   MXPROBE_INTEGRATION_KEEP=1      keep the work directory (configs, logs, mail)
#   MXPROBE_INTEGRATION_NETNS=0     do not try a network namespace (plain host loopback)
#   MXPROBE_BIN=/path/to/mxprobe    use this binary instead of building one
# Exit: 0 all passed (or skipped), 1 a step failed.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CONF="$HERE/conf"
HELPER="$HERE/ithelper.py"
PACKAGES=(postfix dovecot-imapd dovecot-lmtpd nsd swaks libnet-ssleay-perl openssl)

# The loopback world (keep in sync with conf/nsd/*.zone and conf/postfix-*/master.cf).
DNS=127.0.2.1
MX_ACCEPT=127.0.2.10 MX_REJECT=127.0.2.11 MX_GREY=127.0.2.12 MX_DISCARD=127.0.2.13 MX_JUNK=127.0.2.14
OUT=127.0.2.20
IMAP=127.0.2.30
SEED_PASS=seed-secret-0815
PROBE_PASS=probe-secret-4711

say() { printf '%s\n' "$*"; }
# Debian's python3 starts faster than a pyenv shim; either works.
PY=$(command -v /usr/bin/python3 || command -v python3 || true)
T_START=$(date +%s%N)
section() {
	local d=$((($(date +%s%N) - T_START) / 100000000))
	printf -- '-- %s  [+%d.%ds]\n' "$*" $((d / 10)) $((d % 10))
}
now() { date +%s.%N; }
elapsed() { "$PY" -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$(now)"; }

skip_all() {
	say "SKIP: $*"
	if [ "${MXPROBE_INTEGRATION_REQUIRED:-0}" = 1 ]; then
		say "FAIL: MXPROBE_INTEGRATION_REQUIRED=1, a skip is a failure"
		exit 1
	fi
	exit 0
}

# ---------------------------------------------------------------------------------
# Results: one line per assertion in $WORK/results ("PASS name", "FAIL name: why",
# "SKIP name: why"); the outer process prints the summary.
# ---------------------------------------------------------------------------------
record() { # record STATUS NAME [DETAIL]
	local status=$1 name=$2 detail=${3:-}
	printf '%s %s%s\n' "$status" "$name" "${detail:+: $detail}" >>"$WORK/results"
	printf '  %-4s %s%s\n' "$status" "$name" "${detail:+: $detail}"
}
pass() { record PASS "$@"; }
fail() { record FAIL "$@"; }
skip() { record SKIP "$@"; }
# known NAME DETAIL: a reported mxprobe bug, shown in the summary but not failing the run;
# the check that records it says XPASS once the bug is gone (then make it a real assertion).
known() { record KNOWN "$@"; }
# expect NAME COMMAND... : PASS when the command succeeds, else FAIL with its output tail.
expect() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"; fi
}
# wait_for SECONDS COMMAND... : poll a condition, bounded in time (10 tries a second).
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# ---------------------------------------------------------------------------------
# Outer part: packages, build, namespace; then the inner part runs the world.
# ---------------------------------------------------------------------------------
install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		say "== packages: all present (${PACKAGES[*]})"
		return 0
	fi
	command -v apt-get >/dev/null || skip_all "apt-get not found; needs ${missing[*]}"
	say "== packages: installing ${missing[*]}"
	# No prompt (debconf preseed) and no default instance: our own configs only.
	printf '%s\n' "postfix postfix/main_mailer_type select No configuration" \
		"postfix postfix/mailname string it.test" | debconf-set-selections
	local made_policy=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		# Keep the packages' init scripts from starting system-wide daemons.
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
	fi
	local rc=0
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -qq >"$WORK/apt.log" 2>&1 || rc=$?
	if [ $rc -eq 0 ]; then
		DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends \
			-o Dpkg::Options::=--force-confold "${missing[@]}" >>"$WORK/apt.log" 2>&1 || rc=$?
	fi
	[ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
	if [ $rc -ne 0 ]; then
		tail -n 20 "$WORK/apt.log"
		skip_all "could not install ${missing[*]} (apt-get exit $rc)"
	fi
}

NS=""
outer_cleanup() {
	local pid
	if [ -n "$NS" ]; then
		# Only processes inside our own namespace: all of them were started by this run.
		for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
		sleep 0.2
		for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$NS" 2>/dev/null
		rm -rf "/etc/netns/$NS"
	fi
	# On the host (or if the inner part was killed): stop our daemons by their pid files.
	[ -n "${WORK:-}" ] && kill_pidfiles
	if [ "${MXPROBE_INTEGRATION_KEEP:-0}" = 1 ]; then
		say "work directory kept: $WORK"
	elif [ -n "${WORK:-}" ]; then
		rm -rf "$WORK"
	fi
}

outer() {
	local t0 t_pkg t_build t_run mode rc
	say "== mxprobe integration run against real servers (Postfix, Dovecot, NSD)"
	[ "$(id -u)" = 0 ] || skip_all "needs root (daemons on port 25/53/143, a network namespace)"
	for c in "$PY" timeout; do command -v "$c" >/dev/null || skip_all "$c not found"; done
	WORK=$(mktemp -d /tmp/mxprobe-it.XXXXXX) || skip_all "mktemp failed"
	chmod 755 "$WORK" # daemons drop privileges (postfix, dovecot, mail) and must traverse it
	trap outer_cleanup EXIT
	: >"$WORK/results"

	t0=$(now)
	install_packages
	t_pkg=$(elapsed "$t0")

	t0=$(now)
	if [ -n "${MXPROBE_BIN:-}" ]; then
		cp "$MXPROBE_BIN" "$WORK/mxprobe" || { say "FAIL: MXPROBE_BIN=$MXPROBE_BIN not readable"; exit 1; }
	else
		say "== build: go build -o \$WORK/mxprobe ./cmd/mxprobe"
		if ! (cd "$REPO" && timeout 300 go build -o "$WORK/mxprobe" ./cmd/mxprobe); then
			say "FAIL: go build ./cmd/mxprobe"
			exit 1
		fi
	fi
	t_build=$(elapsed "$t0")

	# Where to run: our own network namespace, else the host's loopback, else skip.
	mode=""
	if [ "${MXPROBE_INTEGRATION_NETNS:-1}" != 0 ] && command -v ip >/dev/null; then
		NS="mxprobe-it-$$"
		if ip netns add "$NS" 2>/dev/null && ip netns exec "$NS" ip link set lo up 2>/dev/null; then
			# ip netns exec bind-mounts /etc/netns/NAME/* over /etc: inside, Postfix's own
			# resolver asks NSD, and the host's resolv.conf is untouched.
			mkdir -p "/etc/netns/$NS"
			printf 'nameserver %s\noptions timeout:2 attempts:1\n' "$DNS" >"/etc/netns/$NS/resolv.conf"
			# No host names from files: every name, 127.0.0.1 too, comes from NSD.
			printf '# mxprobe integration run: names come from NSD (it.test)\n' >"/etc/netns/$NS/hosts"
			mode=netns
		else
			say "note: ip netns does not work here; falling back to loopback addresses on the host"
			ip netns del "$NS" 2>/dev/null
			NS=""
		fi
	fi
	if [ -z "$mode" ]; then
		local a busy=""
		for a in $DNS:53 $MX_ACCEPT:25 $MX_REJECT:25 $MX_GREY:25 $MX_DISCARD:25 $MX_JUNK:25 $OUT:25 $OUT:587 $IMAP:143 $IMAP:24 $IMAP:12345; do
			port_open "${a%:*}" "${a##*:}" && busy="$busy $a"
		done
		[ -z "$busy" ] || skip_all "no network namespace, and on the host these are taken:$busy"
		"$PY" -c "import socket; s=socket.socket(); s.bind(('$MX_ACCEPT', 0))" 2>/dev/null ||
			skip_all "cannot bind $MX_ACCEPT (no network namespace, no 127.0.0.0/8 on lo)"
		mode=host
	fi

	say "== servers and tests ($mode mode, work dir $WORK)"
	t0=$(now)
	rc=0
	if [ "$mode" = netns ]; then
		timeout 300 ip netns exec "$NS" "$BASH" "$0" __inner "$WORK" "$mode" || rc=$?
	else
		timeout 300 "$BASH" "$0" __inner "$WORK" "$mode" || rc=$?
	fi
	t_run=$(elapsed "$t0")
	[ $rc -eq 124 ] && echo "FAIL inner run: timed out after 300 s" >>"$WORK/results"

	local npass nfail nskip nknown
	npass=$(grep -c '^PASS ' "$WORK/results")
	nknown=$(grep -c '^KNOWN ' "$WORK/results")
	nfail=$(grep -c '^FAIL ' "$WORK/results")
	nskip=$(grep -c '^SKIP ' "$WORK/results")
	[ $rc -ne 0 ] && [ "$nfail" -eq 0 ] && { echo "FAIL inner run: exit $rc" >>"$WORK/results"; nfail=1; }
	say ""
	say "== summary ($mode mode; packages ${t_pkg}s, build ${t_build}s, servers+tests ${t_run}s)"
	grep -E '^(FAIL|SKIP|KNOWN) ' "$WORK/results" | sed 's/^/  /'
	[ "$nknown" -gt 0 ] && say "  ($nknown known mxprobe bug(s), reported, not counted as failures)"
	say "integration: $npass passed, $nfail failed, $nskip skipped"
	if [ "$nfail" -gt 0 ]; then
		say "FAIL: mxprobe integration run"
		exit 1
	fi
	say "PASS: mxprobe integration run"
}

# ---------------------------------------------------------------------------------
# Inner part: runs in the namespace (or on the host): configure, start, test, stop.
# ---------------------------------------------------------------------------------
PIDS_NSD=""
# kill_pidfiles: the daemons this run started, by the pid files in $WORK (a last resort).
kill_pidfiles() {
	local f pid
	for f in "$WORK/postfix-out/queue/pid/master.pid" "$WORK/postfix-mx/queue/pid/master.pid" \
		"$WORK/dovecot/run/master.pid" "$WORK/nsd/nsd.pid"; do
		[ -f "$f" ] || continue
		pid=$(tr -dc 0-9 <"$f")
		[ -n "$pid" ] || continue
		# Only if that pid is still ours (a stale pid file must not hit a stranger):
		# Dovecot and NSD name $WORK on their command line, Postfix's master lives in it.
		if { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF "$WORK/" ||
			[[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$WORK/"* ]]; then
			kill "$pid" 2>/dev/null
		fi
	done
	return 0
}
inner_cleanup() {
	# The daemons stop in parallel (postfix stop waits about a second for its master).
	[ -f "$WORK/postfix-out/queue/pid/master.pid" ] && timeout 10 postfix -c "$WORK/postfix-out" stop >/dev/null 2>&1 &
	[ -f "$WORK/postfix-mx/queue/pid/master.pid" ] && timeout 10 postfix -c "$WORK/postfix-mx" stop >/dev/null 2>&1 &
	[ -f "$WORK/dovecot/run/master.pid" ] && timeout 10 doveadm -c "$WORK/dovecot/dovecot.conf" stop >/dev/null 2>&1 &
	[ -n "$PIDS_NSD" ] && kill "$PIDS_NSD" 2>/dev/null
	wait
	kill_pidfiles # anything that did not stop in time
}

render() { # render TEMPLATE DEST: fill in the placeholders
	sed -e "s|@WORK@|$WORK|g" -e "s|@DNS_ADDR@|$DNS|g" \
		-e "s|@PEERNAME_LOOKUP@|$PEERNAME_LOOKUP|g" -e "s|@TRANSPORT_MAPS@|$TRANSPORT_MAPS|g" \
		-e "s|@MAIL_UID@|$(id -u mail)|g" -e "s|@MAIL_GID@|$(id -g mail)|g" \
		-e "s|@DKIM_TXT@|$DKIM_TXT|g" "$1" >"$2"
}

setup_world() {
	local d
	mkdir -p "$WORK"/{tls,dkim,nsd,dovecot/run,dovecot/state,mail,postfix-mx/data,postfix-mx/queue,postfix-out/data,postfix-out/queue,ledger,out}
	if [ "$MODE" = netns ]; then
		PEERNAME_LOOKUP=yes TRANSPORT_MAPS=""
	else
		# The host's resolver cannot be pointed at NSD: route by address, no client lookups.
		PEERNAME_LOOKUP=no TRANSPORT_MAPS="texthash:$WORK/postfix-out/transport"
	fi

	# Keys: a CA of the run and one server certificate (all MX names, imap.it.test and
	# 127.0.2.30) for STARTTLS on Postfix and Dovecot; a DKIM key for sender.it.test.
	(
		cd "$WORK/tls" &&
			timeout 30 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
				-subj "/CN=mxprobe integration CA" -keyout ca.key -out ca.crt &&
			timeout 30 openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=mx-accept.it.test" \
				-keyout mx.key -out mx.csr &&
			printf '%s\n' "subjectAltName=DNS:mx-accept.it.test,DNS:mx-reject.it.test,DNS:mx-grey.it.test,DNS:mx-discard.it.test,DNS:mx-junk.it.test,DNS:out.it.test,DNS:imap.it.test,IP:127.0.2.10,IP:127.0.2.11,IP:127.0.2.12,IP:127.0.2.13,IP:127.0.2.14,IP:127.0.2.20,IP:127.0.2.30" \
				"extendedKeyUsage=serverAuth" "basicConstraints=CA:FALSE" >mx.ext &&
			timeout 30 openssl x509 -req -in mx.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
				-extfile mx.ext -out mx.crt
	) >"$WORK/tls/openssl.log" 2>&1 || { cat "$WORK/tls/openssl.log"; return 1; }
	timeout 30 openssl genrsa -out "$WORK/dkim/sel.key" 2048 >/dev/null 2>&1 || return 1
	local pub
	pub=$(openssl rsa -in "$WORK/dkim/sel.key" -pubout -outform DER 2>/dev/null | base64 -w0)
	# TXT character-strings are at most 255 octets (RFC 1035 §3.3.14): split the record.
	DKIM_TXT=$(printf 'v=DKIM1; k=rsa; p=%s' "$pub" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' ')

	render "$CONF/nsd/nsd.conf" "$WORK/nsd/nsd.conf"
	render "$CONF/nsd/it.test.zone" "$WORK/nsd/it.test.zone"
	render "$CONF/nsd/127.in-addr.arpa.zone" "$WORK/nsd/127.in-addr.arpa.zone"
	render "$CONF/dovecot/dovecot.conf" "$WORK/dovecot/dovecot.conf"
	cp "$CONF/dovecot/passwd" "$WORK/dovecot/passwd"
	chown mail:mail "$WORK/mail"
	for d in postfix-mx postfix-out; do
		render "$CONF/$d/main.cf" "$WORK/$d/main.cf"
		cp "$CONF/$d/master.cf" "$WORK/$d/master.cf"
	done
	cp "$CONF/postfix-mx/rcpt_access" "$CONF/postfix-mx/vmailbox" "$CONF/postfix-mx/valias" "$WORK/postfix-mx/"
	cp "$CONF/postfix-out/transport" "$WORK/postfix-out/"
	chown postfix "$WORK/postfix-mx/data" "$WORK/postfix-out/data"
	return 0
}

start_world() {
	timeout 10 nsd-checkzone it.test "$WORK/nsd/it.test.zone" >/dev/null || { nsd-checkzone it.test "$WORK/nsd/it.test.zone"; return 1; }
	nsd -d -c "$WORK/nsd/nsd.conf" >>"$WORK/nsd/nsd.out" 2>&1 &
	PIDS_NSD=$!
	timeout 20 dovecot -c "$WORK/dovecot/dovecot.conf" || return 1
	local d
	for d in postfix-mx postfix-out; do
		# postfix(1) logs to syslog or a tty only; without /dev/log, script(1) shows why.
		if ! timeout 30 postfix -c "$WORK/$d" start >/dev/null 2>&1; then
			timeout 30 script -qc "postfix -c '$WORK/$d' check" /dev/null
			return 1
		fi
	done
	wait_for 10 "$PY" "$HELPER" dns "$DNS" it.test SOA || { echo "nsd not answering"; return 1; }
	local a
	for a in $MX_ACCEPT:25 $MX_REJECT:25 $MX_GREY:25 $MX_DISCARD:25 $MX_JUNK:25 $OUT:25 $OUT:587 $IMAP:143 $IMAP:24; do
		wait_for 10 port_open "${a%:*}" "${a##*:}" || { echo "nothing listens on $a"; return 1; }
	done
	return 0
}

show_logs() {
	local f
	for f in "$WORK/nsd/nsd.log" "$WORK/dovecot/dovecot.log" "$WORK/postfix-mx/maillog" "$WORK/postfix-out/maillog"; do
		[ -f "$f" ] || continue
		say "---- tail $f"
		tail -n 25 "$f"
	done
}

maildir_count() { # maildir_count USER [FOLDER]: messages in new/ and cur/
	local dir="$WORK/mail/$1/Maildir${2:+/.$2}"
	find "$dir/new" "$dir/cur" -type f 2>/dev/null | wc -l
}

# swaks_to ADDR SERVER [extra swaks args]: one message; prints swaks' transcript.
swaks_to() {
	local rcpt=$1 server=$2
	shift 2
	timeout 30 swaks --to "$rcpt" --from probe@sender.it.test --server "$server" --port 25 \
		--helo client.it.test --timeout 10 --header "Subject: integration $rcpt" "$@" 2>&1
}

# ---- server-side sanity: the world itself, checked without mxprobe -----------------
test_servers() {
	local out n0
	section "DNS (NSD at $DNS)"
	expect "dns: MX accept.it.test -> mx-accept" bash -c "'$PY' '$HELPER' dns $DNS accept.it.test MX | grep -q 'NOERROR 10:mx-accept.it.test'"
	expect "dns: PTR 127.0.2.13 -> mx-discard" bash -c "'$PY' '$HELPER' dns $DNS 13.2.0.127.in-addr.arpa PTR | grep -q 'NOERROR mx-discard.it.test'"
	expect "dns: SPF sender.it.test" bash -c "'$PY' '$HELPER' dns $DNS sender.it.test TXT | grep -q 'v=spf1 ip4:127.0.0.0/8 -all'"
	expect "dns: DKIM key sel._domainkey.sender.it.test" bash -c "'$PY' '$HELPER' dns $DNS sel._domainkey.sender.it.test TXT | grep -q 'v=DKIM1; k=rsa; p=MII'"
	expect "dns: null MX nullmx.it.test" bash -c "'$PY' '$HELPER' dns $DNS nullmx.it.test MX | grep -qx 'NOERROR 0:'"
	expect "dns: NXDOMAIN nothere.it.test" bash -c "'$PY' '$HELPER' dns $DNS nothere.it.test A | grep -qx NXDOMAIN"
	if [ "$MODE" = netns ]; then
		expect "dns: system resolver in the namespace uses NSD" bash -c "getent hosts mx-grey.it.test | grep -q 127.0.2.12"
	fi

	section "Postfix MX hosts (swaks)"
	n0=$(maildir_count seed)
	out=$(swaks_to seed@accept.it.test $MX_ACCEPT --tls --tls-verify --tls-ca-path "$WORK/tls/ca.crt")
	if grep -q '^<~  250 2.0.0 Ok: queued as' <<<"$out" && grep -q '^<-  220 2.0.0 Ready to start TLS' <<<"$out"; then
		pass "swaks accept: STARTTLS, 250 queued"
	else fail "swaks accept" "$(tail -n 3 <<<"$out" | tr '\n' ' ')"; fi
	if wait_for 15 bash -c "[ \$(find '$WORK/mail/seed/Maildir/new' -type f 2>/dev/null | wc -l) -gt $n0 ]"; then
		pass "lmtp: delivered into seed's INBOX"
	else fail "lmtp: delivered into seed's INBOX" "no new file in Maildir/new"; fi

	out=$(swaks_to seed@reject.it.test $MX_REJECT)
	if grep -q '^<\*\* 550 5.7.1 ' <<<"$out"; then pass "swaks reject: 550 5.7.1 at RCPT"; else fail "swaks reject: 550 5.7.1 at RCPT" "$(grep -E '^<' <<<"$out" | tail -n 2 | tr '\n' ' ')"; fi
	out=$(swaks_to seed@grey.it.test $MX_GREY)
	if grep -q '^<\*\* 450 4.7.1 ' <<<"$out"; then pass "swaks grey: 450 4.7.1 at RCPT"; else fail "swaks grey: 450 4.7.1 at RCPT" "$(grep -E '^<' <<<"$out" | tail -n 2 | tr '\n' ' ')"; fi
	out=$(swaks_to nobody@accept.it.test $MX_ACCEPT)
	if grep -q '^<\*\* 550 5.1.1 ' <<<"$out"; then pass "swaks unknown user: 550 5.1.1 at RCPT"; else fail "swaks unknown user: 550 5.1.1 at RCPT" "$(grep -E '^<' <<<"$out" | tail -n 2 | tr '\n' ' ')"; fi
	n0=$(maildir_count seed)
	local j0
	j0=$(maildir_count seed Junk)
	out=$(swaks_to seed@discard.it.test $MX_DISCARD)
	if grep -q '^<-  250 2.0.0 Ok: queued as' <<<"$out"; then pass "swaks discard: 250 after DATA"; else fail "swaks discard: 250 after DATA" "$(grep -E '^<' <<<"$out" | tail -n 2 | tr '\n' ' ')"; fi
	if wait_for 10 grep -q 'discard: RCPT from .*<seed@discard.it.test>' "$WORK/postfix-mx/maillog"; then
		pass "postfix log: DISCARD action for discard.it.test"
	else fail "postfix log: DISCARD action for discard.it.test" "no discard line in maillog"; fi
	out=$(swaks_to seed@junk.it.test $MX_JUNK)
	if wait_for 15 bash -c "[ \$(find '$WORK/mail/seed/Maildir/.Junk/new' -type f 2>/dev/null | wc -l) -gt $j0 ]"; then
		pass "lmtp: seed+Junk delivered into folder Junk"
	else fail "lmtp: seed+Junk delivered into folder Junk" "$(tail -n 3 "$WORK/dovecot/dovecot.log" | tr '\n' ' ')"; fi
	if [ "$(maildir_count seed)" = "$n0" ]; then pass "discard: nothing reached INBOX"; else fail "discard: nothing reached INBOX" "INBOX grew"; fi

	section "Dovecot IMAP"
	out=$(timeout 20 "$PY" "$HELPER" imap-folders $IMAP:143 seed "$SEED_PASS" 2>&1)
	if "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert "\\Junk" in d["Junk"]["flags"] and d["Junk"]["count"]>=1 and d["INBOX"]["count"]>=1' "$out" 2>/dev/null; then
		pass "imap: login, INBOX and Junk (\\Junk) hold the messages"
	else fail "imap: login, INBOX and Junk (\\Junk)" "$out"; fi
	if timeout 20 "$PY" "$HELPER" imap-folders $IMAP:143 seed wrong-password >/dev/null 2>&1; then
		fail "imap: wrong password refused" "login succeeded"
	else pass "imap: wrong password refused"; fi
	if timeout 20 "$PY" "$HELPER" imap-plain $IMAP:143 seed "$SEED_PASS" >/dev/null 2>&1; then
		fail "imap: LOGIN without STARTTLS refused" "plaintext login succeeded"
	else pass "imap: LOGIN without STARTTLS refused"; fi
}

# ---- the sending MTA: a real Postfix log for logscan ------------------------------
test_outbound() {
	local d out id
	section "sending Postfix ($OUT) relays to the MX hosts"
	for d in accept reject grey discard junk; do
		id="<it-out-$d-$$@sender.it.test>"
		out=$(swaks_to "seed@$d.it.test" $OUT --header "Message-Id: $id")
		grep -q '^<-  250 2.0.0 Ok: queued as' <<<"$out" || fail "outbound submit for $d.it.test" "$(grep -E '^<' <<<"$out" | tail -n 1)"
	done
	out=$(timeout 30 swaks --to seed@accept.it.test --from probe@sender.it.test --server $OUT --port 587 \
		--helo client.it.test --timeout 10 --tls --tls-verify --tls-ca-path "$WORK/tls/ca.crt" \
		--auth PLAIN --auth-user probe --auth-password "$PROBE_PASS" --header "Message-Id: <it-sub-$$@sender.it.test>" 2>&1)
	if grep -q '^<~  235 2.7.0 Authentication successful' <<<"$out" && grep -q '^<~  250 2.0.0 Ok: queued as' <<<"$out"; then
		pass "submission: STARTTLS (verified), AUTH PLAIN via Dovecot SASL, 250 queued"
	else fail "submission: STARTTLS, AUTH, 250" "$(grep -E '^(<|\*)' <<<"$out" | tail -n 2 | tr '\n' ' ')"; fi
	out=$(timeout 30 swaks --to seed@accept.it.test --from probe@sender.it.test --server $OUT --port 587 \
		--helo client.it.test --timeout 10 --tls --tls-verify --tls-ca-path "$WORK/tls/ca.crt" 2>&1)
	if grep -q '^<~\* 554 5.7.1 .*Access denied' <<<"$out"; then
		pass "submission: relaying without AUTH refused (554 5.7.1)"
	else fail "submission: relaying without AUTH refused" "$(grep -E '^(<|\*)' <<<"$out" | tail -n 2 | tr '\n' ' ')"; fi
	local log="$WORK/postfix-out/maillog"
	expect "outbound log: status=sent for the submitted message" wait_for 20 grep -q 'to=<seed@accept.it.test>,.*status=sent (250 ' "$log"
	expect "outbound log: status=sent for accept" wait_for 20 grep -q 'to=<seed@accept.it.test>, relay=[^,]*\[127.0.2.10\]:25,.*status=sent (250 ' "$log"
	expect "outbound log: status=sent for junk" wait_for 20 grep -q 'to=<seed@junk.it.test>,.*status=sent (250 ' "$log"
	expect "outbound log: status=sent for discard (the silent drop)" wait_for 20 grep -q 'to=<seed@discard.it.test>,.*status=sent (250 ' "$log"
	expect "outbound log: status=deferred 450 4.7.1 for grey" wait_for 20 grep -q 'to=<seed@grey.it.test>,.*status=deferred (host [^ ]*\[127.0.2.12\] said: 450 4.7.1 ' "$log"
	expect "outbound log: status=bounced 550 5.7.1 for reject" wait_for 20 grep -q 'to=<seed@reject.it.test>,.*status=bounced (host [^ ]*\[127.0.2.11\] said: 550 5.7.1 ' "$log"
	expect "bounce (DSN) delivered to probe@sender.it.test" wait_for 20 bash -c "grep -rqs 'Content-Type: message/delivery-status' '$WORK/mail/probe/Maildir/new'"
}

# ---- mxprobe ------------------------------------------------------------------------
MXP=""
has_cmd() { # has_cmd check | has_cmd probe send
	local help
	if [ $# -eq 1 ]; then
		help=$("$MXP" --help 2>/dev/null)
	else
		help=$("$MXP" "$1" --help 2>/dev/null)
	fi
	grep -qE "^  ${!#}( |$)" <<<"$help"
}
mxp() { # mxp NAME ARGS... : run mxprobe bounded; output in $WORK/out/NAME.{out,err}, exit code in $RC
	local name=$1
	shift
	RC=0
	# --resolver exists only on the commands that look up DNS (docs/cli.md):
	# check, dns and probe send.
	local res=() prev="" a
	for a in "$@"; do
		case "$a" in
		check | dns) res=(--resolver "$DNS"); break ;;
		send) [ "$prev" = probe ] && res=(--resolver "$DNS"); break ;;
		probe) ;;
		explain | logscan | confirm | watch | show | list | lab | version) break ;;
		esac
		prev=$a
	done
	timeout 60 "$MXP" "$@" "${res[@]}" >"$WORK/out/$name.out" 2>"$WORK/out/$name.err" || RC=$?
}

test_mxprobe() {
	MXP="$WORK/mxprobe"
	say "-- $("$MXP" version 2>/dev/null | head -n 1)"
	test_mxprobe_check
	test_mxprobe_probe
	test_mxprobe_logscan
}

# log_mark FILE: remember how many lines FILE has; log_since FILE MARK: the lines after it.
log_mark() { wc -l <"$1" 2>/dev/null || echo 0; }
log_since() { tail -n +"$(($2 + 1))" "$1" 2>/dev/null; }

# expect_check NAME WANT_RC IDS NOT_IDS [PATH=VALUE...]: assertions on $WORK/out/NAME.out
expect_check() {
	local name=$1 want_rc=$2 ids=$3 not_ids=$4 got id pv val miss=""
	shift 4
	got=$("$PY" "$HELPER" findings "$WORK/out/$name.out" 2>&1 | head -n 1)
	[ "$RC" = "$want_rc" ] || miss="$miss exit $RC (want $want_rc);"
	for id in ${ids//,/ }; do
		[[ ",${got#*ids=}," == *",$id,"* ]] || miss="$miss no $id;"
	done
	for id in ${not_ids//,/ }; do
		[[ ",${got#*ids=}," == *",$id,"* ]] && miss="$miss unexpected $id;"
	done
	for pv in "$@"; do
		val=$("$PY" "$HELPER" jget "$WORK/out/$name.out" "${pv%%=*}" 2>&1)
		[ "$val" = "${pv#*=}" ] || miss="$miss ${pv%%=*}=$val (want ${pv#*=});"
	done
	if [ -z "$miss" ]; then
		pass "$name: exit $RC, $got"
	else
		fail "$name" "$miss [$got] $(head -c 300 "$WORK/out/$name.err" | tr '\n' ' ')"
	fi
}

test_mxprobe_check() {
	if ! has_cmd check; then
		skip "mxprobe check" "not available yet"
		return
	fi
	section "mxprobe check"
	local common=(check --from probe@sender.it.test --helo client.it.test --dkim-selector sel -o json)
	local a0=mx.0.addresses.0 mark
	mark=$(log_mark "$WORK/postfix-mx/maillog")

	# The sender side is the same everywhere: FCrDNS of 127.0.0.1, SPF pass, DKIM key,
	# DMARC p=reject, not on the block list clean.bl.it.test (NSD serves it).
	local sender_ok=rdns.ok,spf.pass,dkim.ok,dmarc.ok,dnsbl.clean
	local not_sender=dnsbl.listed,dnsbl.unknown,spf.fail,spf.none,dkim.missing,dmarc.missing,rdns.missing,rdns.not_confirmed,helo.ptr_mismatch

	# The MX certificates come from the run's own CA: unknown to mxprobe unless --ca-file.
	# The default block lists are not reachable: NSD answers REFUSED for their zones,
	# which must read as "unknown", never as "listed" or "not listed".
	mxp check-accept-noca "${common[@]}" accept.it.test
	expect_check check-accept-noca 0 "smtp.rcpt_accepted,tls.cert_invalid,dnsbl.unknown" "tls.self_signed,dnsbl.listed,dnsbl.clean" \
		verdict=warn $a0.smtp.tls.verified=false $a0.smtp.tls.name_match=true
	common+=(--ca-file "$WORK/tls/ca.crt" --dnsbl clean.bl.it.test)
	mxp check-accept "${common[@]}" accept.it.test
	expect_check check-accept 0 "mx.ok,smtp.rcpt_accepted,tls.ok,$sender_ok" "tls.cert_invalid,tls.self_signed,tls.cert_expiring,smtp.accept_all,smtp.starttls_missing,smtp.port25_blocked,$not_sender" \
		verdict=ok $a0.smtp.banner_host=mx-accept.it.test $a0.smtp.rcpt.code=250 $a0.smtp.rcpt.enhanced_code=2.1.5 \
		$a0.smtp.tls.version="TLS 1.3" $a0.smtp.tls.verified=true $a0.smtp.tls.name_match=true $a0.ptr.result=pass \
		$a0.accept_all_test.rcpt.code=550 $a0.accept_all_test.rcpt.enhanced_code=5.1.1 \
		sender.ip=127.0.0.1 sender.spf.result=pass
	# A listed sender: --ip names the outbound address for the sender checks.
	mxp check-listed check --from probe@sender.it.test --helo out.it.test --ip "$OUT" --ca-file "$WORK/tls/ca.crt" --dkim-selector sel \
		--dnsbl dirty.bl.it.test --dnsbl clean.bl.it.test -o json accept.it.test
	expect_check check-listed 1 "dnsbl.listed,rdns.ok,spf.pass,dkim.ok,smtp.rcpt_accepted" "dnsbl.unknown,helo.ptr_mismatch,dkim.missing" \
		verdict=fail sender.ip=$OUT sender.dnsbl.status=listed sender.dnsbl.zones.0.status=listed \
		"sender.dnsbl.zones.0.reason=Listed by the mxprobe integration run, see https://bl.it.test/lookup" \
		sender.dnsbl.zones.1.status=not_listed
	mxp check-reject "${common[@]}" reject.it.test
	expect_check check-reject 1 "smtp.rcpt_rejected,$sender_ok" "smtp.rcpt_accepted,$not_sender" \
		verdict=fail $a0.smtp.rcpt.code=550 $a0.smtp.rcpt.enhanced_code=5.7.1
	mxp check-grey "${common[@]}" grey.it.test
	expect_check check-grey 0 "smtp.rcpt_deferred" "smtp.rcpt_accepted,smtp.rcpt_rejected" \
		verdict=warn $a0.smtp.rcpt.code=450 $a0.smtp.rcpt.enhanced_code=4.7.1
	mxp check-grey-failon-warn "${common[@]}" --fail-on warn grey.it.test
	expect_check check-grey-failon-warn 1 "smtp.rcpt_deferred" ""
	# Postfix DISCARD matches any local part: accepted, and accept-all (a 250 proves nothing).
	mxp check-discard "${common[@]}" discard.it.test
	expect_check check-discard 0 "smtp.rcpt_accepted,smtp.accept_all" "smtp.rcpt_rejected" verdict=ok \
		$a0.smtp.rcpt.code=250 $a0.accept_all_test.rcpt.code=250
	mxp check-junk-address "${common[@]}" seed@junk.it.test
	expect_check check-junk-address 0 "smtp.rcpt_accepted" "smtp.accept_all" \
		$a0.smtp.rcpt_to=seed@junk.it.test $a0.smtp.banner_host=mx-junk.it.test
	mxp check-nullmx "${common[@]}" nullmx.it.test
	expect_check check-nullmx 1 "mx.null" "smtp.rcpt_accepted"
	mxp check-nxdomain "${common[@]}" nothere.it.test
	expect_check check-nxdomain 1 "mx.nxdomain" "smtp.rcpt_accepted"

	# Bulk: NDJSON in input order, exit code the worst over all targets.
	printf '%s\n' accept.it.test reject.it.test grey.it.test discard.it.test junk.it.test >"$WORK/out/targets.txt"
	mxp check-bulk check --from probe@sender.it.test --helo client.it.test -o json --concurrency 3 --targets "$WORK/out/targets.txt"
	local order
	order=$("$PY" -c 'import json,sys; print(" ".join(json.loads(l)["target"]["input"] for l in open(sys.argv[1]) if l.strip()))' "$WORK/out/check-bulk.out" 2>&1)
	if [ "$RC" = 1 ] && [ "$order" = "accept.it.test reject.it.test grey.it.test discard.it.test junk.it.test" ]; then
		pass "check-bulk: NDJSON in input order, exit 1 (worst)"
	else fail "check-bulk" "exit $RC, targets: $order"; fi

	# Text report in German, as a person would read it.
	mxp check-text-de check --from probe@sender.it.test --helo client.it.test --lang de --no-color reject.it.test
	if [ "$RC" = 1 ] && grep -q 'Empfänger abgelehnt' "$WORK/out/check-text-de.out" && grep -q '550 5.7.1' "$WORK/out/check-text-de.out"; then
		pass "check-text-de: German report names the 550 5.7.1 rejection"
	else fail "check-text-de" "exit $RC: $(head -n 3 "$WORK/out/check-text-de.out" | tr '\n' ' ')"; fi

	# What the real server saw: check never sends DATA and always says QUIT.
	local seen
	seen=$(log_since "$WORK/postfix-mx/maillog" "$mark" | grep 'smtpd.*disconnect from [^ ]*\[127.0.0.1\]')
	if [ -z "$seen" ]; then
		fail "postfix saw check's sessions" "no disconnect lines from client.it.test[127.0.0.1] (peer name lookup?)"
	elif grep -q ' data=' <<<"$seen"; then
		fail "check never sends DATA (Postfix session stats)" "$(grep ' data=' <<<"$seen" | head -n 1)"
	elif grep -vq ' quit=1 ' <<<"$seen"; then
		fail "check ends every session with QUIT (Postfix session stats)" "$(grep -v ' quit=1 ' <<<"$seen" | head -n 1)"
	else
		pass "postfix: $(wc -l <<<"$seen") check sessions, none sent DATA, all ended with QUIT"
	fi
}

# token_of NAME [ROLE]: the token of the first probe (or control) in $WORK/out/NAME.out
token_of() {
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(p["token"] for p in d["probes"] if p["role"] == sys.argv[2]))' \
		"$WORK/out/$1.out" "${2:-probe}" 2>/dev/null
}
# expect_send NAME WANT_RC PATH=VALUE...: assertions on a probe send's JSON
expect_send() {
	local name=$1 want_rc=$2 pv val miss=""
	shift 2
	[ "$RC" = "$want_rc" ] || miss="$miss exit $RC (want $want_rc);"
	for pv in "$@"; do
		val=$("$PY" "$HELPER" jget "$WORK/out/$name.out" "${pv%%=*}" 2>&1)
		[ "$val" = "${pv#*=}" ] || miss="$miss ${pv%%=*}=$val (want ${pv#*=});"
	done
	if [ -z "$miss" ]; then
		pass "$name: exit $RC, $("$PY" "$HELPER" jget "$WORK/out/$name.out" probes.0.reply | cut -c1-60)"
	else
		fail "$name" "$miss $(head -c 300 "$WORK/out/$name.err" | tr '\n' ' ')"
	fi
}
# expect_state NAME TOKEN STATE: the verdict of TOKEN in $WORK/out/NAME.out
expect_state() {
	local got
	got=$("$PY" "$HELPER" states "$WORK/out/$1.out" 2>&1 | awk -v t="$2" '$1 == t {print $2}')
	if [ "$got" = "$3" ]; then pass "$1: $4 → $got"; else fail "$1: $4" "state ${got:-none} (want $3); exit $RC $(head -c 200 "$WORK/out/$1.err" | tr '\n' ' ')"; fi
}

# Delivery proof through real servers: Postfix accepts (or drops), Dovecot stores,
# mxprobe finds the token over IMAP (STARTTLS, the run's CA) and reads Postfix's DSNs.
WINDOWS=(--expect 4s --drop-after 9s --final 120s)
test_mxprobe_probe() {
	if ! has_cmd probe || ! has_cmd probe send || ! has_cmd probe confirm; then
		skip "mxprobe probe send/confirm" "not available yet"
		return
	fi
	section "mxprobe probe send/confirm/show"
	mkdir -p "$WORK/secrets"
	printf '%s\n' "$SEED_PASS" >"$WORK/secrets/seed.pass"
	printf '%s\n' "$PROBE_PASS" >"$WORK/secrets/probe.pass"
	local L=(--ledger "$WORK/ledger/ledger.jsonl" --ca-file "$WORK/tls/ca.crt" "${WINDOWS[@]}")
	# probe show reads only the ledger: no --ca-file (docs/cli.md).
	local LS=(--ledger "$WORK/ledger/ledger.jsonl" "${WINDOWS[@]}")
	local send=("${L[@]}" probe send -o json --from probe@sender.it.test --i-own-this-mailbox --helo client.it.test)
	local dkim=(--dkim-key "$WORK/dkim/sel.key" --dkim-sign-selector sel)
	local imap=(--imap "imap://$IMAP:143" --imap-user seed --dsn-imap "imap://$IMAP:143" --dsn-imap-user probe --dsn-imap-password-file "$WORK/secrets/probe.pass")
	local t_first t_last t_inbox t_junk t_drop t_ctl t_sub t_subdrop t_rej t_grey

	# The CI form, "check --deliver-to" (send, watch, one verdict and exit code), runs in
	# the background meanwhile: a drop without control, and Junk with a control probe
	# through the submission relay. Its own ledger; asserted at the end of this section.
	local deliver=(check -o json --ledger "$WORK/ledger/deliver.jsonl" --ca-file "$WORK/tls/ca.crt"
		--from probe@sender.it.test --helo client.it.test --dkim-selector sel --dnsbl clean.bl.it.test
		--i-own-this-mailbox --imap "imap://$IMAP:143" --imap-user seed --imap-password-file "$WORK/secrets/seed.pass"
		--expect 3s --drop-after 8s --final 120s --wait 14s)
	local bg=""
	if "$MXP" check --help 2>/dev/null | grep -q -- '--deliver-to'; then
		(mxp deliver-drop "${deliver[@]}" --deliver-to seed@discard.it.test discard.it.test; echo "$RC" >"$WORK/out/deliver-drop.rc") &
		bg="$bg $!"
		(mxp deliver-junk "${deliver[@]}" --deliver-to seed@junk.it.test --control-via submit --control-relay "$OUT:587" \
			--control-smtp-user probe --control-smtp-password-file "$WORK/secrets/probe.pass" junk.it.test
		echo "$RC" >"$WORK/out/deliver-junk.rc") &
		bg="$bg $!"
	else
		skip "mxprobe check --deliver-to" "not available yet"
	fi

	t_first=$(date +%s)
	mxp send-inbox "${send[@]}" "${dkim[@]}" --to seed@accept.it.test
	expect_send send-inbox 0 probes.0.outcome=accepted probes.0.code=250 probes.0.mx_host=mx-accept.it.test \
		probes.0.dsn_offered=true probes.0.tls.verified=true probes.0.dkim_selector=sel probes.0.acceptance.provider=postfix
	t_inbox=$(token_of send-inbox)
	mxp send-junk "${send[@]}" "${dkim[@]}" --to seed@junk.it.test
	expect_send send-junk 0 probes.0.outcome=accepted probes.0.mx_host=mx-junk.it.test
	t_junk=$(token_of send-junk)
	# The silent drop, with a control over a known-good path (mx-accept) to the same seed.
	mxp send-drop "${send[@]}" "${dkim[@]}" --to seed@discard.it.test --control-via direct --control-mx "$MX_ACCEPT"
	expect_send send-drop 0 probes.0.outcome=accepted probes.0.code=250 probes.0.mx_host=mx-discard.it.test \
		probes.1.role=control probes.1.outcome=accepted probes.1.mx_ip=$MX_ACCEPT
	t_drop=$(token_of send-drop) t_ctl=$(token_of send-drop control)
	mxp send-reject "${send[@]}" --to seed@reject.it.test
	expect_send send-reject 1 probes.0.outcome=rejected probes.0.stage=rcpt probes.0.code=550 probes.0.enhanced=5.7.1
	t_rej=$(token_of send-reject)
	# A deferral is a warning: exit 1 only at --fail-on warn (as in check).
	mxp send-grey "${send[@]}" --fail-on warn --to seed@grey.it.test
	expect_send send-grey 1 probes.0.outcome=deferred probes.0.stage=rcpt probes.0.code=450 probes.0.enhanced=4.7.1
	t_grey=$(token_of send-grey)
	# Through the real sending infrastructure: submission with STARTTLS and AUTH.
	MXPROBE_SMTP_PASSWORD=$PROBE_PASS mxp send-submit "${send[@]}" --via submit --relay "$OUT:587" --smtp-user probe --to seed@accept.it.test
	expect_send send-submit 0 probes.0.outcome=accepted probes.0.route=submit probes.0.tls.verified=true
	t_sub=$(token_of send-submit)
	MXPROBE_SMTP_PASSWORD=$PROBE_PASS mxp send-submit-drop "${send[@]}" --via submit --relay "$OUT:587" --smtp-user probe --to seed@discard.it.test
	expect_send send-submit-drop 0 probes.0.outcome=accepted probes.0.route=submit
	t_subdrop=$(token_of send-submit-drop)
	t_last=$(date +%s)
	MXPROBE_SMTP_PASSWORD=wrong-password mxp send-submit-badauth "${send[@]}" --via submit --relay "$OUT:587" --smtp-user probe --to seed@accept.it.test
	if [ "$RC" != 0 ] && [ "$RC" != 4 ] && ! grep -q '"outcome": *"accepted"' "$WORK/out/send-submit-badauth.out"; then
		pass "send-submit-badauth: wrong SMTP password refused (exit $RC)"
	else fail "send-submit-badauth" "exit $RC"; fi
	# RFC 4954 §4: "*" cancels an exchange only in reply to a 334 (go-smtp's
	# Client.Auth sent it after the final 535 too, and Postfix's 221 replaced the
	# 535 in the record; mxprobe now runs its own AUTH exchange).
	local reply
	reply=$("$PY" "$HELPER" jget "$WORK/out/send-submit-badauth.out" probes.0.reply 2>/dev/null)
	if [[ "$reply" == "535 5.7.8 "* ]]; then
		pass "send-submit-badauth: the 535 5.7.8 reply is recorded"
	else
		fail "send-submit-badauth: recorded reply is not Postfix's 535" "\"$reply\""
	fi
	echo "$t_inbox $t_junk $t_drop $t_ctl $t_sub $t_subdrop $t_rej $t_grey" >"$WORK/out/tokens"

	# Let Postfix and Dovecot finish (bounded): the delivered ones are files in the Maildir.
	local tok
	for tok in $t_inbox $t_junk $t_ctl $t_sub; do
		wait_for 20 grep -rqs "$tok" "$WORK/mail/seed/Maildir" || fail "delivery of $tok" "not in seed's Maildir after 20 s"
	done
	# The submitted drop: the sending Postfix has relayed it (its queue id from the 250).
	local qid
	qid=$("$PY" "$HELPER" jget "$WORK/out/send-submit-drop.out" probes.0.acceptance.queue_id 2>/dev/null)
	wait_for 20 grep -q "$qid: to=<seed@discard.it.test>,.*status=sent" "$WORK/postfix-out/maillog" ||
		fail "sending Postfix relayed $t_subdrop" "no status=sent for queue id $qid"

	local early=$(($(date +%s) - t_first < 7))
	mxp confirm-1 "${L[@]}" probe confirm -o json --pending "${imap[@]}" --imap-password-file "$WORK/secrets/seed.pass"
	expect_state confirm-1 "$t_inbox" delivered_inbox "direct to accept.it.test"
	expect_state confirm-1 "$t_junk" delivered_junk "direct to junk.it.test (seed+Junk, \\Junk)"
	expect_state confirm-1 "$t_ctl" delivered_inbox "control via mx-accept"
	expect_state confirm-1 "$t_sub" delivered_inbox "submission via the sending Postfix"
	if [ "$early" = 1 ]; then
		# Within the drop window the missing probes are only pending, and that is no problem.
		[ "$RC" = 0 ] && pass "confirm-1: exit 0" || fail "confirm-1: exit $RC (want 0)" "$(head -c 300 "$WORK/out/confirm-1.err")"
		expect_state confirm-1 "$t_drop" pending "discard.it.test within the drop window"
	else
		say "  note: the sends took $(($(date +%s) - t_first)) s (a loaded machine); the pending state is not asserted"
	fi
	cp "$WORK/ledger/ledger.jsonl" "$WORK/ledger/noca.jsonl"

	# After the drop-after window a further complete scan decides: probe watch polls
	# (with back-off, waking after the next deadline) until --until.
	local wait_s=$((t_last + 11 - $(date +%s)))
	[ "$wait_s" -gt 0 ] || wait_s=1
	if has_cmd probe watch; then
		MXPROBE_IMAP_PASSWORD=$SEED_PASS mxp watch "${L[@]}" probe watch -o json --until "${wait_s}s" "${imap[@]}"
		[ "$RC" = 4 ] && pass "watch: exit 4 after ${wait_s} s (silent drop suspected)" || fail "watch: exit $RC (want 4)" "$(head -c 300 "$WORK/out/watch.err")"
		expect_state watch "$t_drop" silent_drop_suspected/medium "Postfix DISCARD, control arrived"
		expect_state watch "$t_sub" delivered_inbox "submission via the sending Postfix"
	else
		skip "mxprobe probe watch" "not available yet"
		sleep "$wait_s"
	fi
	MXPROBE_IMAP_PASSWORD=$SEED_PASS mxp confirm-2 "${L[@]}" probe confirm -o json --pending "${imap[@]}"
	[ "$RC" = 4 ] && pass "confirm-2: exit 4 (silent drop suspected)" || fail "confirm-2: exit $RC (want 4)" "$(head -c 300 "$WORK/out/confirm-2.err")"
	expect_state confirm-2 "$t_drop" silent_drop_suspected/medium "Postfix DISCARD, control arrived"
	expect_state confirm-2 "$t_subdrop" silent_drop_suspected/low "Postfix DISCARD via submission, no control"
	expect_state confirm-2 "$t_inbox" delivered_inbox "still in INBOX"

	mxp show-drop "${LS[@]}" probe show -o json "$t_drop"
	local dsn_env
	dsn_env=$("$PY" "$HELPER" jget "$WORK/out/show-drop.out" verdict.controls.0.state 2>&1)
	if [ "$RC" = 4 ] && [ "$dsn_env" = delivered_inbox ] && grep -q '"kind": *"sent"' "$WORK/out/show-drop.out"; then
		pass "show-drop: exit 4, evidence pack with events, control delivered"
	else fail "show-drop" "exit $RC, control state $dsn_env"; fi
	mxp show-reject "${LS[@]}" probe show -o json "$t_rej"
	expect_state show-reject "$t_rej" rejected "550 5.7.1 at RCPT"
	mxp show-grey "${LS[@]}" probe show -o json "$t_grey"
	expect_state show-grey "$t_grey" deferred "450 4.7.1 at RCPT"
	# Postfix's success DSN (NOTIFY=SUCCESS, ENVID=token) reached the DSN mailbox.
	mxp show-inbox "${LS[@]}" probe show -o json "$t_inbox"
	if grep -q '"kind": *"dsn"' "$WORK/out/show-inbox.out" && grep -q '"matched_by": *"envid"' "$WORK/out/show-inbox.out"; then
		pass "show-inbox: Postfix's success DSN matched by ENVID"
	else fail "show-inbox: Postfix's success DSN matched by ENVID" "no dsn event"; fi

	# The seed unreadable (TLS not trusted without --ca-file): never a drop verdict.
	local noca=(--ledger "$WORK/ledger/noca.jsonl" "${WINDOWS[@]}")
	mxp confirm-noca "${noca[@]}" probe confirm -o json --pending "${imap[@]}" --imap-password-file "$WORK/secrets/seed.pass"
	local st
	st=$("$PY" "$HELPER" states "$WORK/out/confirm-noca.out" 2>/dev/null | awk -v t="$t_drop" '$1 == t {print $2}')
	if [ "$RC" != 4 ] && [ "${st%%/*}" != silent_drop_suspected ]; then
		pass "confirm-noca: IMAP TLS untrusted → ${st:-no verdict} (exit $RC), no drop claimed"
	else fail "confirm-noca: IMAP TLS untrusted must not claim a drop" "state $st exit $RC"; fi

	# check --deliver-to (background, started above).
	if [ -n "$bg" ]; then
		wait $bg
		RC=$(cat "$WORK/out/deliver-drop.rc" 2>/dev/null)
		expect_check deliver-drop 4 "smtp.rcpt_accepted,smtp.accept_all" "" \
			delivery.probes.0.state=silent_drop_suspected delivery.probes.0.confidence=low
		if [ "$("$PY" "$HELPER" jget "$WORK/out/deliver-drop.out" verdict)" = fail ]; then
			pass "deliver-drop: the headline verdict reflects the delivery proof"
		else
			fail "deliver-drop: top-level verdict ignores the delivery proof" "$("$PY" "$HELPER" jget "$WORK/out/deliver-drop.out" verdict)"
		fi
		RC=$(cat "$WORK/out/deliver-junk.rc" 2>/dev/null)
		expect_check deliver-junk 0 "smtp.rcpt_accepted" "" \
			delivery.probes.0.role=probe delivery.probes.0.state=delivered_junk \
			delivery.probes.1.role=control delivery.probes.1.state=delivered_junk
	fi

	# Secrets never leave: not in any output, error message or the ledger.
	local leaks
	leaks=$(grep -rlF -e "$SEED_PASS" -e "$PROBE_PASS" "$WORK/out" "$WORK/ledger" 2>/dev/null)
	[ -z "$leaks" ] && pass "no IMAP/SMTP password in outputs or ledger" || fail "secrets leaked" "$leaks"
}

test_mxprobe_logscan() {
	if ! has_cmd logscan; then
		skip "mxprobe logscan" "not available yet"
		return
	fi
	section "mxprobe logscan"
	local L=(--ledger "$WORK/ledger/ledger.jsonl") log="$WORK/postfix-out/maillog" d
	# The sending Postfix's log: swaks' messages and the submitted probes.
	mxp logscan-out "${L[@]}" logscan -o json "$log"
	"$PY" "$HELPER" deliveries "$WORK/out/logscan-out.out" >"$WORK/out/logscan-out.txt" 2>&1
	d="$WORK/out/logscan-out.txt"
	[ "$RC" = 1 ] && pass "logscan-out: exit 1 (a bounce in the log)" || fail "logscan-out: exit $RC (want 1)" "$(head -c 300 "$WORK/out/logscan-out.err")"
	expect "logscan-out: sent 250 to seed@accept.it.test via 127.0.2.10" grep -q '^seed@accept.it.test sent 250 2.0.0 127.0.2.10 ' "$d"
	expect "logscan-out: sent 250 to seed@junk.it.test" grep -q '^seed@junk.it.test sent 250 ' "$d"
	expect "logscan-out: sent 250 to seed@discard.it.test (the drop looks fine here)" grep -q '^seed@discard.it.test sent 250 ' "$d"
	expect "logscan-out: deferred 450 4.7.1 for seed@grey.it.test" grep -q '^seed@grey.it.test deferred 450 4.7.1 127.0.2.12 ' "$d"
	expect "logscan-out: bounced 550 5.7.1 for seed@reject.it.test" grep -q '^seed@reject.it.test bounced 550 5.7.1 127.0.2.11 ' "$d"
	local t_sub t_subdrop
	read -r _ _ _ _ t_sub t_subdrop _ _ <"$WORK/out/tokens" 2>/dev/null
	if [ -n "${t_sub:-}" ]; then
		expect "logscan-out: submitted probe joined by Message-ID" grep -q "^seed@accept.it.test sent 250 .* $t_sub\$" "$d"
		# (logscan has no window flags: the ledger's verdicts use the default windows, so
		# the submitted drop is still "pending" there; only the join is asserted for it.)
		expect "logscan-out: verdicts from the ledger (submitted probe delivered_inbox)" grep -q "\"$t_sub\": \"delivered_inbox\"" "$d"
		expect "logscan-out: submitted drop joined (sent 250, token $t_subdrop)" grep -q "^seed@discard.it.test sent 250 .* $t_subdrop\$" "$d"
	fi
	mxp logscan-out-text "${L[@]}" logscan --no-color "$log"
	if grep -qE '^grey\.it\.test +other +0 +1 +0' "$WORK/out/logscan-out-text.out"; then
		pass "logscan-out-text: per-destination table (grey: 1 deferred)"
	else fail "logscan-out-text" "$(head -n 8 "$WORK/out/logscan-out-text.out" | tr '\n' '|')"; fi
	# The receiving Postfix's log: LMTP deliveries into Dovecot, no bounces.
	mxp logscan-mx "${L[@]}" logscan -o json "$WORK/postfix-mx/maillog"
	"$PY" "$HELPER" deliveries "$WORK/out/logscan-mx.out" >"$WORK/out/logscan-mx.txt" 2>&1
	if [ "$RC" = 0 ] && grep -q ' sent 250 2.0.0 127.0.2.30 ' "$WORK/out/logscan-mx.txt"; then
		pass "logscan-mx: LMTP deliveries to Dovecot (127.0.2.30), exit 0"
	else fail "logscan-mx" "exit $RC"; fi
}

inner() {
	WORK=$1 MODE=$2
	trap inner_cleanup EXIT
	trap 'exit 143' TERM INT # so that the EXIT trap runs when timeout(1) ends us
	section "setting up the world"
	if ! setup_world; then fail "setup: configs and keys"; return 1; fi
	export IT_CA="$WORK/tls/ca.crt" XDG_STATE_HOME="$WORK/state" # no ledger in root's home
	if ! start_world >"$WORK/start.out" 2>&1; then
		cat "$WORK/start.out"
		fail "start: nsd, dovecot, postfix (mx), postfix (out)"
		show_logs
		return 1
	fi
	pass "start: nsd, dovecot, postfix (mx), postfix (out)"
	test_servers
	test_outbound
	test_mxprobe
	if grep -q '^FAIL ' "$WORK/results"; then show_logs; fi
	return 0
}

# Sourcing the file only defines the functions (handy to bring the world up by hand:
# WORK=/tmp/w MODE=netns; setup_world && start_world, inside `ip netns exec`).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	if [ "${1:-}" = __inner ]; then
		inner "$2" "$3"
		exit $?
	fi
	outer
fi
