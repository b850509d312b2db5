#!/usr/bin/env bash
# PostgreSQL for the parity suite: install it from Debian's packages if missing, start it on
# 127.0.0.1:5432, and make the role and database the dbt `postgres` target uses by default.
# Idempotent: a second run only checks. Needs root (as in CI) or a server that already runs.
set -euo pipefail

PG_USER="${UPSTREAM_PG_USER:-upstream}"
PG_PASSWORD="${UPSTREAM_PG_PASSWORD:-upstream}"
PG_DATABASE="${UPSTREAM_PG_DATABASE:-upstream}"
PG_HOST="${UPSTREAM_PG_HOST:-127.0.0.1}"
PG_PORT="${UPSTREAM_PG_PORT:-5432}"

ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }

if ! ready; then
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
        echo "postgres-up: installing PostgreSQL from Debian packages"
        export DEBIAN_FRONTEND=noninteractive
        # Under the lock every install of the set-up shares (scripts/apt-install.sh): one dpkg at a time.
        (
            flock 9
            apt-get update -qq
            apt-get install -y -qq postgresql >/dev/null
        ) 9>/tmp/upstream-apt.lock
    fi
    version="$(ls /etc/postgresql | sort -V | tail -1)"
    pg_ctlcluster "$version" main start
    for _ in $(seq 30); do ready && break; sleep 1; done
    ready || { echo "postgres-up: PostgreSQL did not start on $PG_HOST:$PG_PORT" >&2; exit 1; }
fi

# Role and database, created once (the parity suite creates its own database per run).
as_postgres() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtA -c \"$1\""; }
if [ "$(id -u)" = 0 ]; then
    if [ -z "$(as_postgres "select 1 from pg_roles where rolname = '$PG_USER'")" ]; then
        as_postgres "create role $PG_USER login superuser password '$PG_PASSWORD'"
    fi
    if [ -z "$(as_postgres "select 1 from pg_database where datname = '$PG_DATABASE'")" ]; then
        as_postgres "create database $PG_DATABASE owner $PG_USER"
    fi
fi
echo "postgres-up: PostgreSQL ready on $PG_HOST:$PG_PORT (role $PG_USER)"
