#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432, trust on loopback only, for local tests) and Redis
# (127.0.0.1:6379) are running: start them if installed, install them with apt-get if missing
# (as root).
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo "$@"; else "$@"; fi; }
apt_updated=0
apt_install() {
  if [ $apt_updated = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# A local test server: trust the local socket and loopback (127.0.0.1/32, ::1/128) only. Lines for
# any other address keep their password method: nothing else is trusted, whatever pg_hba.conf
# already allows. (`scripts/services.sh --trust-loopback FILE` rewrites just FILE: the tests.)
trust_loopback() {
  as_root sed -i -E \
    -e 's/^(local[[:space:]].*[[:space:]])(scram-sha-256|md5|peer)[[:space:]]*$/\1trust/' \
    -e 's#^(host[[:space:]]+[^[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+(127\.0\.0\.1/32|::1/128)[[:space:]]+)(scram-sha-256|md5)[[:space:]]*$#\1trust#' \
    "$1"
}
if [ "${1:-}" = "--trust-loopback" ]; then trust_loopback "$2"; exit 0; fi

pg_up() { have pg_isready && pg_isready -q -h 127.0.0.1 -p 5432; }
redis_up() { have redis-cli && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }

if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "installing PostgreSQL"
    apt_install postgresql postgresql-client
    for hba in /etc/postgresql/*/main/pg_hba.conf; do trust_loopback "$hba"; done
  fi
  echo "starting PostgreSQL"
  for version in $(ls /etc/postgresql); do
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }

if ! redis_up; then
  if ! have redis-server; then
    echo "installing Redis"
    apt_install redis-server
  fi
  echo "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/hocvuso-tests.log
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
fi
redis_up || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }
echo "PostgreSQL and Redis are up"
