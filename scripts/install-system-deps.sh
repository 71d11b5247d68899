#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (nginx for the stack tests, wrk for
# the benchmark, Chromium for the browser test of /docs). Idempotent: does nothing when they are
# already there.
set -euo pipefail
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
command -v openssl >/dev/null || need+=(openssl)
command -v psql >/dev/null || need+=(postgresql-client)
# The stack tests run a private cluster of their own (initdb/pg_ctl) beside the shared one.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
if ((${#need[@]})); then
    echo "installing: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts nginx on port 80 after installing it; the tests run their own instances.
if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
    systemctl stop nginx || true
fi
if [ -f /run/nginx.pid ]; then nginx -s stop 2>/dev/null || true; fi
