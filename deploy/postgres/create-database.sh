#!/usr/bin/env bash
# Creates the stores_api database and its two roles (create-database.sql says why two) on the
# PostgreSQL server this machine reaches, and writes their connection URLs for systemd:
#   ENV_DIR/database.env  DATABASE_URL as stores_api_app    (the service reads it)
#   ENV_DIR/migrate.env   DATABASE_URL as stores_api_owner  (only `stores-api db upgrade` does)
# Usage, as root on the server:  bash deploy/postgres/create-database.sh [ENV_DIR]
# ENV_DIR defaults to /etc/stores-api. Idempotent; every run sets new passwords, so restart the
# service afterwards. psql connects as the `postgres` superuser through the usual libpq
# variables (PGHOST, PGPORT, ...; by default the local socket, port 5432); the URLs point at
# DB_HOST (default 127.0.0.1) on the same port.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
env_dir="${1:-/etc/stores-api}"
db_host="${DB_HOST:-127.0.0.1}"
db_port="${PGPORT:-5432}"

# Hex: safe in a URL and in an env file without quoting.
owner_password="$(openssl rand -hex 24)"
app_password="$(openssl rand -hex 24)"

psql_as_superuser() {
    if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
        runuser -u postgres -- psql "$@"
    else
        psql "$@"
    fi
}

# The passwords go in on stdin, never on a command line where `ps` would show them.
{
    printf '\\set owner_password %s\n' "$owner_password"
    printf '\\set app_password %s\n' "$app_password"
    cat "$here/create-database.sql"
} | psql_as_superuser --no-psqlrc --quiet -v ON_ERROR_STOP=1 --dbname postgres >/dev/null

umask 077
mkdir -p "$env_dir"
printf 'DATABASE_URL=postgresql://stores_api_app:%s@%s:%s/stores_api\n' \
    "$app_password" "$db_host" "$db_port" >"$env_dir/database.env"
printf 'DATABASE_URL=postgresql://stores_api_owner:%s@%s:%s/stores_api\n' \
    "$owner_password" "$db_host" "$db_port" >"$env_dir/migrate.env"
echo "database stores_api ready; wrote $env_dir/database.env and $env_dir/migrate.env"
