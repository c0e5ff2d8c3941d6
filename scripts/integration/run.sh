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
		for a in $DNS:53 $MX_ACCEPT:25 $MX_REJECT:25 $MX_GREY:25 $MX_DISCARD:25 $MX_JUNK:25 $OUT:25 $IMAP:143 $IMAP:24; do
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

	local npass nfail nskip
	npass=$(grep -c '^PASS ' "$WORK/results")
	nfail=$(grep -c '^FAIL ' "$WORK/results")
	nskip=$(grep -c '^SKIP ' "$WORK/results")
	[ $rc -ne 0 ] && [ "$nfail" -eq 0 ] && { echo "FAIL inner run: exit $rc" >>"$WORK/results"; nfail=1; }
	say ""
	say "== summary ($mode mode; packages ${t_pkg}s, build ${t_build}s, servers+tests ${t_run}s)"
	grep -E '^(FAIL|SKIP) ' "$WORK/results" | sed 's/^/  /'
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
inner_cleanup() {
	[ -f "$WORK/postfix-out/main.cf" ] && timeout 10 postfix -c "$WORK/postfix-out" stop >/dev/null 2>&1
	[ -f "$WORK/postfix-mx/main.cf" ] && timeout 10 postfix -c "$WORK/postfix-mx" stop >/dev/null 2>&1
	[ -f "$WORK/dovecot/dovecot.conf" ] && timeout 10 doveadm -c "$WORK/dovecot/dovecot.conf" stop >/dev/null 2>&1
	[ -n "$PIDS_NSD" ] && kill "$PIDS_NSD" 2>/dev/null
	# Anything of ours that did not stop in time (pid files of the daemons we started).
	local f pid
	for f in "$WORK/postfix-out/queue/pid/master.pid" "$WORK/postfix-mx/queue/pid/master.pid" \
		"$WORK/dovecot/run/master.pid"; do
		[ -f "$f" ] || continue
		pid=$(tr -dc 0-9 <"$f")
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	return 0
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

	# Keys: a self-signed certificate for the MX hosts' STARTTLS, a DKIM key for sender.it.test.
	timeout 30 openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=mx-accept.it.test" \
		-addext "subjectAltName=DNS:mx-accept.it.test,DNS:mx-reject.it.test,DNS:mx-grey.it.test,DNS:mx-discard.it.test,DNS:mx-junk.it.test" \
		-keyout "$WORK/tls/mx.key" -out "$WORK/tls/mx.crt" >/dev/null 2>&1 || return 1
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
		if ! timeout 30 postfix -c "$WORK/$d" check >/dev/null 2>&1 || ! timeout 30 postfix -c "$WORK/$d" start >/dev/null 2>&1; then
			timeout 30 script -qc "postfix -c '$WORK/$d' check" /dev/null
			return 1
		fi
	done
	wait_for 10 "$PY" "$HELPER" dns "$DNS" it.test SOA || { echo "nsd not answering"; return 1; }
	local a
	for a in $MX_ACCEPT:25 $MX_REJECT:25 $MX_GREY:25 $MX_DISCARD:25 $MX_JUNK:25 $OUT:25 $IMAP:143 $IMAP:24; do
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

# swaks_to ADDR SERVER [extra swaks args]: one message, output in $WORK/out/swaks-*.
swaks_to() {
	local rcpt=$1 server=$2
	shift 2
	timeout 30 swaks --to "$rcpt" --from probe@sender.it.test --server "$server" --port 25 \
		--helo client.it.test --timeout 10 --header "Subject: integration $rcpt" "$@" 2>&1
}

# ---- server-side sanity: the world itself, checked without mxprobe -----------------
test_servers() {
	local out n0 n1
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
	out=$(swaks_to seed@accept.it.test $MX_ACCEPT --tls)
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
	out=$(swaks_to seed@nobody.accept.it.test $MX_ACCEPT)
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
	local log="$WORK/postfix-out/maillog"
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
mxp() { # mxp NAME ARGS... : run mxprobe bounded; output in $WORK/out/NAME.{json,err}, exit code in $RC
	local name=$1
	shift
	RC=0
	timeout 60 "$MXP" --resolver "$DNS" "$@" >"$WORK/out/$name.out" 2>"$WORK/out/$name.err" || RC=$?
}

test_mxprobe() {
	MXP="$WORK/mxprobe"
	section "mxprobe $("$MXP" version 2>/dev/null | head -n 1)"
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
	local common=(check --from probe@sender.it.test --helo client.it.test --dkim-selector sel -o json)
	local a0=mx.0.addresses.0 mark
	mark=$(log_mark "$WORK/postfix-mx/maillog")

	# The sender side is the same everywhere: FCrDNS of 127.0.0.1, SPF pass, DKIM key,
	# DMARC p=reject. Block lists: NSD answers REFUSED for their zones, which must read
	# as "unknown", never as "listed" or "not listed".
	local sender_ok=rdns.ok,spf.pass,dkim.ok,dmarc.ok,dnsbl.unknown
	local not_sender=dnsbl.listed,spf.fail,spf.none,dkim.missing,dmarc.missing,rdns.missing,rdns.not_confirmed,helo.ptr_mismatch

	mxp check-accept "${common[@]}" accept.it.test
	expect_check check-accept 0 "mx.ok,smtp.rcpt_accepted,tls.self_signed,$sender_ok" "smtp.accept_all,smtp.starttls_missing,smtp.port25_blocked,$not_sender" \
		verdict=warn $a0.smtp.banner_host=mx-accept.it.test $a0.smtp.rcpt.code=250 $a0.smtp.rcpt.enhanced_code=2.1.5 \
		$a0.smtp.tls.version="TLS 1.3" $a0.smtp.tls.name_match=true $a0.ptr.result=pass \
		$a0.accept_all_test.rcpt.code=550 $a0.accept_all_test.rcpt.enhanced_code=5.1.1 \
		sender.ip=127.0.0.1 sender.spf.result=pass
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
	expect_check check-discard 0 "smtp.rcpt_accepted,smtp.accept_all" "smtp.rcpt_rejected" \
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

test_mxprobe_probe() {
	if ! has_cmd probe || ! has_cmd probe send || ! has_cmd probe confirm; then
		skip "mxprobe probe send/confirm" "not available yet"
		return
	fi
	skip "mxprobe probe send/confirm" "assertions not written yet"
}

test_mxprobe_logscan() {
	if ! has_cmd logscan; then
		skip "mxprobe logscan" "not available yet"
		return
	fi
	skip "mxprobe logscan" "assertions not written yet"
}

inner() {
	WORK=$1 MODE=$2
	trap inner_cleanup EXIT
	section "setting up the world"
	if ! setup_world; then fail "setup: configs and keys"; return 1; fi
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
