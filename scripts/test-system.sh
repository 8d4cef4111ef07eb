#!/usr/bin/env bash
# The whole test run on any Debian/Ubuntu machine, fresh or not: install the system packages the
# tests drive, start the services they use, then run the test suite (tsc + vitest).
# Works as root (no sudo needed) or as a user with sudo. Called by `npm run test:system` (the
# README's test command) and by .ci/run. Idempotent: packages and services already there are kept.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then as_root() { "$@"; }
elif command -v sudo >/dev/null; then as_root() { sudo "$@"; }
else echo "test-system: run as root (or install sudo): the tests need apt packages, auditd and containers" >&2; exit 2; fi

# Every Debian package a test needs (requireTool(...) in test/): keep this list complete.
PACKAGES=(
  strace auditd runc crun seccomp bpftrace
  gcc libc6-dev gcc-multilib libseccomp-dev
  curl python3 procps util-linux gzip iproute2
  qemu-user-static busybox-static
  # engine tests (test/integration/engines-*.test.ts): the engines users run, and the programs
  # and servers whose recorded profiles they run
  podman conmon docker.io containerd tar
  sqlite3 openssl perl nginx-light redis-server redis-tools
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's arm64 busybox-static (run under qemu-aarch64-static by the mixed-architecture test),
# unpacked into .cache/arm64 (not installed: it would replace the amd64 busybox).
if [ ! -x .cache/arm64/bin/busybox ]; then
  echo "== fetch busybox-static:arm64"
  dpkg --print-foreign-architectures | grep -qx arm64 || { as_root dpkg --add-architecture arm64; as_root apt-get update -qq; }
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null 2>&1) || { as_root apt-get update -qq; (cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null); }
  mkdir -p .cache/arm64 && dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/root" && cp -r "$tmp/root/bin" .cache/arm64/
  rm -rf "$tmp"
fi

bash scripts/start-services.sh

echo "== tests"
npm test
