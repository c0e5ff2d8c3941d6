#!/usr/bin/env bash
# Long run of the ledger fault test (issue 7): `mxprobe probe watch` killed
# with SIGKILL at random points while `probe send` and an appender process
# write the same ledger. CI runs 50 rounds; this runs more.
#   scripts/ledger-kill.sh [ROUNDS] [BUDGET]      e.g. scripts/ledger-kill.sh 500 10m
# MXPROBE_KILL_SEED=N replays a run (the test logs its seed).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
export MXPROBE_KILL_ROUNDS="${1:-200}" MXPROBE_KILL_BUDGET="${2:-5m}"
exec go test -count=1 -v -timeout 30m -run '^TestFaultWatchKilledWhileOthersAppend$' ./internal/cli/
