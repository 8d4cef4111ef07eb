#!/usr/bin/env bash
# Start what the tests use, when it is not running yet: tracefs (bpftrace), auditd (the audit and
# verify tests), dockerd (the engine tests). Called by scripts/test-system.sh and .ci/run.
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then as_root() { "$@"; }
elif command -v sudo >/dev/null; then as_root() { sudo "$@"; }
else echo "start-services: run as root (or install sudo)" >&2; exit 2; fi

echo "== kernel facilities and services"
# bpftrace needs tracefs; the audit tests need auditd running.
mountpoint -q /sys/kernel/tracing || as_root mount -t tracefs nodev /sys/kernel/tracing || true
pgrep -x auditd >/dev/null || as_root auditd || { echo "start-services: could not start auditd" >&2; exit 1; }

# The engine tests run `docker run`: start Debian's dockerd when no daemon answers. No bridge and
# no iptables rules (the tests use --network host/none only, never 172.17.x); dockerd starts its
# own containerd. Log: /var/log/syscribe-dockerd.log. The tests use Debian's client
# /usr/bin/docker (API 1.41, the daemon's); a newer client elsewhere on PATH negotiates down too.
if ! /usr/bin/docker info >/dev/null 2>&1; then
  echo "== starting dockerd"
  as_root sh -c 'nohup setsid dockerd --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    >>/var/log/syscribe-dockerd.log 2>&1 </dev/null &'
  for _ in $(seq 1 60); do /usr/bin/docker info >/dev/null 2>&1 && break; sleep 1; done
  /usr/bin/docker info >/dev/null 2>&1 || { echo "start-services: dockerd did not start (see /var/log/syscribe-dockerd.log)" >&2; exit 1; }
fi

