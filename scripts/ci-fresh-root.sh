#!/usr/bin/env bash
# Runs `CI=true bash .ci/run` as CI does, on a machine that never saw the project: a new minimal
# Debian root made with debootstrap (same release and mirror as this machine's apt configuration),
# this machine's Node and npm copied in, a fresh clone of the committed checkout, and ../shared bound
# read-only beside it. Anything installed here by hand is absent there, so a missing set-up step fails.
#
# Usage (as root, from a checkout with ../shared beside it):
#   bash scripts/ci-fresh-root.sh [REF]        REF: branch or commit to clone (default: HEAD)
# Env: PASTICHE_FRESH_ROOT (default /var/tmp/pastiche-fresh-root) is wiped and rebuilt each run and
# left in place afterwards for inspection; the log is $PASTICHE_FRESH_ROOT.log.
set -uo pipefail
say() { echo "ci-fresh-root: $*"; }
fail() { say "$*" >&2; exit 2; }

checkout=$(git -C "$(dirname "$0")" rev-parse --show-toplevel 2>/dev/null) || fail "not inside a git checkout"
shared=$(cd "$checkout/../shared" 2>/dev/null && pwd) || fail "no ../shared beside $checkout"
ref=${1:-HEAD}
commit=$(git -C "$checkout" rev-parse --verify "$ref^{commit}" 2>/dev/null) || fail "unknown ref '$ref'"
target=${PASTICHE_FRESH_ROOT:-/var/tmp/pastiche-fresh-root}
log="$target.log"
[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot and bind mounts)"
node_bin=$(command -v node) || fail "no node on PATH to copy in"
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")") || fail "no npm on PATH to copy in"

# Release and mirror from this machine's apt configuration (deb822 first, then one-line sources.list).
codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"')
mirror=
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  mirror=$(awk -v s="$codename" 'BEGIN { RS = "" } $0 ~ "(^|\n)Suites:[^\n]*[ \t]" s "([ \t]|\n|$)" {
    if (match($0, /(^|\n)URIs:[ \t]*[^ \t\n]+/)) { u = substr($0, RSTART, RLENGTH); sub(/.*URIs:[ \t]*/, "", u); print u; exit } }' "$f")
  [ -n "$mirror" ] && break
done
[ -n "$mirror" ] || mirror=$(awk -v s="$codename" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ } if ($(i + 1) == s) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null)
if [ -z "$codename" ] || [ -z "$mirror" ]; then fail "cannot read the Debian release and mirror from /etc/os-release and /etc/apt"; fi

mounts=(proc sys dev dev/pts dev/shm work/shared)
unmount_all() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    mountpoint -q "$target/${mounts[i]}" 2>/dev/null && umount "$target/${mounts[i]}"
  done
}
trap unmount_all EXIT
unmount_all
rm -rf "$target"

if ! command -v debootstrap >/dev/null; then
  say "installing debootstrap"
  { apt-get update -qq && apt-get install -y -qq debootstrap; } >/dev/null || fail "could not install debootstrap"
fi
say "debootstrap $codename (minbase) from $mirror into $target"
debootstrap --variant=minbase "$codename" "$target" "$mirror" >"$log" 2>&1 || fail "debootstrap failed, see $log"

# What a CI machine starts with: apt sources and certificates like this one, Node and npm, git, python3, a compiler.
rm -f "$target/etc/apt/sources.list"
cp /etc/apt/sources.list.d/*.sources "$target/etc/apt/sources.list.d/" 2>/dev/null
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$target/etc/apt/sources.list"
cp /etc/resolv.conf "$target/etc/resolv.conf"
install -D -m 755 "$node_bin" "$target/usr/local/bin/node"
mkdir -p "$target/usr/local/lib/node_modules" "$target/root" "$target/work/shared"
cp -a "$npm_dir" "$target/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$target/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$target/usr/local/bin/npx"
[ -d /usr/include/node ] && mkdir -p "$target/usr/include" && cp -a /usr/include/node "$target/usr/include/"
# The user's npm configuration says which registry (or proxy) to use.
[ -f "$HOME/.npmrc" ] && cp "$HOME/.npmrc" "$target/root/.npmrc"

mount -t proc proc "$target/proc"
mount --bind /sys "$target/sys"
mount --bind /dev "$target/dev"
mount --bind /dev/pts "$target/dev/pts"
mount -t tmpfs tmpfs "$target/dev/shm"
mount --bind "$shared" "$target/work/shared"
mount -o remount,bind,ro "$target/work/shared"

say "base packages (git, ca-certificates, python3, make, g++)"
chroot "$target" /bin/bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git ca-certificates python3 make g++' >>"$log" 2>&1 \
  || fail "base packages failed, see $log"
# Certificates this machine trusts (a registry proxy may be signed by one of them).
cp /etc/ssl/certs/ca-certificates.crt "$target/etc/ssl/certs/ca-certificates.crt"

if ! git clone -q --no-hardlinks "$checkout" "$target/work/pastiche" || ! git -C "$target/work/pastiche" checkout -q --detach "$commit"; then
  fail "could not clone $checkout at $commit"
fi
say "CI=true bash .ci/run at ${commit:0:12} (log: $log)"
# A clean environment, as on a CI runner; only a proxy this machine needs is passed on.
env_in=(HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8)
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  [ -n "${!v:-}" ] && env_in+=("$v=${!v}")
done
start=$(date +%s)
chroot "$target" /usr/bin/env -i "${env_in[@]}" /bin/bash -c 'cd /work/pastiche && CI=true bash .ci/run' </dev/null >>"$log" 2>&1
code=$?
elapsed=$(($(date +%s) - start))
tail -n 20 "$log"
say "exit $code after ${elapsed} s ($((elapsed / 60)) min $((elapsed % 60)) s); full log: $log"
exit "$code"
