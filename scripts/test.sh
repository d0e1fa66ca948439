#!/usr/bin/env bash
# Run the whole suite on SQLite, then again on PostgreSQL when one answers.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if "$BIN/python" -c "import redis,sys; redis.Redis(host='127.0.0.1', socket_connect_timeout=1).ping()" 2>/dev/null; then
  echo "Redis answers at 127.0.0.1:6379: the Redis job backend is tested too."
else
  echo "Redis not reachable at 127.0.0.1:6379: its job-backend test is skipped (the default backend needs none)."
fi
if [ "${CI:-}" = "true" ]; then
  echo "CI=true: a missing PostgreSQL, Redis, Chromium or LibreOffice fails the run instead of being skipped."
fi

echo "== Test suite on SQLite (embedded default)"
env -u DATABASE_URL "$BIN/python" -m pytest "$@"

PG_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
if "$BIN/python" - "$PG_URL" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
except Exception as exc:  # any failure means "not available here"
    print(f"PostgreSQL not reachable at {sys.argv[1]} ({exc.__class__.__name__}): SQLite run only.")
    sys.exit(1)
PY
then
  echo "== Test suite on PostgreSQL at $PG_URL"
  DATABASE_URL="$PG_URL" "$BIN/python" -m pytest "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true and PostgreSQL does not answer at $PG_URL: failing rather than testing SQLite only."
  exit 1
fi
