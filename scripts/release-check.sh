#!/usr/bin/env bash
# Release packaging check: validates .goreleaser.yaml, builds a local snapshot
# release (all targets, archives, checksums, deb and rpm; nothing published)
# and inspects what came out: the .deb contents (dpkg-deb -c), the linux
# archive, the checksums, and the version stamped into the host binary.
#
#   scripts/release-check.sh
#
# goreleaser is fetched and built through the Go module proxy on first use
# (a few minutes; cached afterwards). Without it the check is skipped with
# exit 0 and a SKIP line; MXPROBE_RELEASE_CHECK_REQUIRED=1 makes that a
# failure. Writes dist/ (git-ignored) and regenerates completions/ and man/
# through goreleaser's before hook.
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER_VERSION=v2.15.1
GORELEASER="github.com/goreleaser/goreleaser/v2@${GORELEASER_VERSION}"

say() { echo "release-check: $*"; }
fail() {
	echo "release-check: FAIL: $*" >&2
	exit 1
}
skip() {
	if [ "${MXPROBE_RELEASE_CHECK_REQUIRED:-}" = 1 ]; then
		fail "$* (MXPROBE_RELEASE_CHECK_REQUIRED=1)"
	fi
	say "SKIP: $*"
	exit 0
}
goreleaser() { go run "$GORELEASER" "$@"; }

start=$SECONDS
log=$(mktemp)
list=$(mktemp)
trap 'rm -f "$log" "$list"' EXIT

for f in go.mod .goreleaser.yaml README.md LICENSE; do
	[ -f "$f" ] || fail "$f is missing (goreleaser packs README.md and LICENSE)"
done
git rev-parse --verify -q HEAD >/dev/null || fail "goreleaser needs a git repository with at least one commit"

say "fetching goreleaser ${GORELEASER_VERSION} (cached after the first run)"
if ! goreleaser --version >"$log" 2>&1; then
	tail -n 5 "$log" >&2
	skip "cannot fetch or build goreleaser ${GORELEASER_VERSION} through the Go module proxy; release packaging not checked"
fi

t=$SECONDS
say "goreleaser check"
goreleaser check || fail "goreleaser check rejected .goreleaser.yaml"
say "check took $((SECONDS - t))s"

# The release repository must not depend on a git remote (a fresh clone
# without one, a tarball): check again in a clone whose remote is removed.
noremote=$(mktemp -d)
git clone -q . "$noremote/src" || fail "cannot clone the repository for the no-remote check"
git -C "$noremote/src" remote remove origin 2>/dev/null || true
cp .goreleaser.yaml "$noremote/src/.goreleaser.yaml"
say "goreleaser check in a clone without a git remote"
if ! (cd "$noremote/src" && [ -z "$(git remote)" ] && goreleaser check); then
	rm -rf "$noremote"
	fail "goreleaser check fails without a git remote: name the repository in release.github"
fi
rm -rf "$noremote"

t=$SECONDS
say "goreleaser release --snapshot --clean --skip=publish"
goreleaser release --snapshot --clean --skip=publish || fail "snapshot release failed"
say "snapshot took $((SECONDS - t))s"

# Exactly one file must match a pattern.
one() {
	local matches=()
	local f
	for f in $1; do [ -e "$f" ] && matches+=("$f"); done
	[ "${#matches[@]}" -eq 1 ] || fail "expected one file matching $1, found ${#matches[@]}: ${matches[*]:-none}"
	echo "${matches[0]}"
}
# need LISTFILE PATH...: every PATH is a line of LISTFILE.
need() {
	local file=$1 p
	shift
	for p in "$@"; do
		grep -qxF -- "$p" "$file" || fail "$p missing from $(basename "$current")"
	done
}

# Artifact counts: 3 OS × 2 arch archives, deb and rpm per linux arch.
for pat in 'dist/*.tar.gz:4' 'dist/*.zip:2' 'dist/*.deb:2' 'dist/*.rpm:2'; do
	n=0
	for f in ${pat%:*}; do [ -e "$f" ] && n=$((n + 1)); done
	[ "$n" -eq "${pat#*:}" ] || fail "expected ${pat#*:} ${pat%:*}, found $n"
done

(cd dist && sha256sum --quiet -c checksums.txt) || fail "checksums.txt does not match the artifacts"

pages=()
for p in man/*.1; do pages+=("$(basename "$p")"); done
[ "${#pages[@]}" -ge 1 ] || fail "no man pages in man/"

current=$(one 'dist/*_amd64.deb')
if command -v dpkg-deb >/dev/null; then
	say "dpkg-deb -c $current"
	dpkg-deb -c "$current" | awk '{print $NF}' | sed 's|^\./|/|' >"$list"
	cat "$list"
	need "$list" /usr/bin/mxprobe \
		/usr/share/bash-completion/completions/mxprobe \
		/usr/share/zsh/vendor-completions/_mxprobe \
		/usr/share/fish/vendor_completions.d/mxprobe.fish \
		/usr/share/doc/mxprobe/copyright
	for p in "${pages[@]}"; do need "$list" "/usr/share/man/man1/$p.gz"; done
	n=$(grep -c '^/usr/share/man/man1/.*\.1\.gz$' "$list" || true)
	[ "$n" -eq "${#pages[@]}" ] || fail "$current has $n man pages, man/ has ${#pages[@]}"
	dpkg-deb --fsys-tarfile "$current" | tar -xOf - ./usr/share/man/man1/mxprobe.1.gz | gzip -dc | cmp -s - man/mxprobe.1 ||
		fail "mxprobe.1.gz in $current is not man/mxprobe.1"
else
	say "dpkg-deb not installed: .deb contents not inspected"
fi

current=$(one 'dist/*_linux_amd64.tar.gz')
tar -tzf "$current" | sed 's|^[^/]*/||' >"$list"
need "$list" mxprobe README.md LICENSE completions/mxprobe.bash completions/_mxprobe \
	completions/mxprobe.fish completions/mxprobe.ps1
for p in "${pages[@]}"; do need "$list" "man/$p"; done

if command -v unzip >/dev/null; then
	current=$(one 'dist/*_windows_amd64.zip')
	unzip -Z1 "$current" | sed 's|^[^/]*/||' >"$list"
	need "$list" mxprobe.exe README.md LICENSE completions/mxprobe.ps1 man/mxprobe.1
fi

if [ "$(go env GOOS)/$(go env GOARCH)" = linux/amd64 ]; then
	bin=$(one 'dist/mxprobe_linux_amd64*/mxprobe')
	out=$("$bin" version)
	say "$out"
	case "$out" in
	"mxprobe dev "* | *"commit unknown"*) fail "version ldflags not applied: $out" ;;
	esac
fi

if [ -n "$(git status --porcelain -- completions man)" ]; then
	say "WARNING: the before hook changed completions/ or man/: the committed docs are stale; run go run ./cmd/gendocs and commit"
fi

say "OK in $((SECONDS - start))s"
