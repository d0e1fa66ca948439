"""Load test: many people using Northstar at once, served the way a user runs it.

Builds a PostgreSQL database with the demo company, starts `northstar serve` (gunicorn, its default
workers and threads) on 127.0.0.1, signs a product leader in, and then points `wrk` (Debian's HTTP
benchmarking tool: C, event loop, so the load generator costs far less CPU than the server) at each
page in turn: N concurrent connections for D seconds each. The anonymous sign-in page is measured in
the same run as the ceiling: it renders a template with no database work, so it shows what the
server and this machine can do at all. Every page is checked to answer 200 with its own heading
before it is loaded; any non-2xx answer, time-out or socket error counts as an error.

    apt-get install wrk    # once
    .venv/bin/python benchmarks/load.py [--clients 50] [--duration 60] [--scale standard]
        [--database postgres://postgres@127.0.0.1:5432/northstar_load] [--json FILE]

The database named in --database is dropped and created again. Results: a table, and JSON with the
commit, the machine's CPU and load average before and after each page.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import requests
from _common import REPO, RESULTS, machine, table, write_json

NORTHSTAR = REPO / ".venv" / "bin" / "northstar"
PAGES = (
    # (name, path, text the page must contain, signed in)
    ("sign-in page (ceiling)", "/login/", "Sign in", False),
    ("initiative list", "/portfolio/", "Initiatives", True),
    ("roadmap", "/roadmap/", "Roadmap", True),
    ("strategy dashboard", "/strategy/", "Strategy", True),
)
#: A signed-in page with almost nothing on it: what any signed-in page costs before its own content
#: (session, login, navigation, layout). Measured for CPU only, as the floor the three pages sit on.
FLOOR = ("/settings/tokens/", True)
LUA_REPORT = """
done = function(summary, latency, requests)
  local out = string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
    .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, '
    .. '"p99_us": %d, "max_us": %d, "mean_us": %f}',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean)
  io.stderr:write("WRK_JSON " .. out .. "\\n")
end
"""
PASSWORD = "load-test-password-1"  # a throw-away login in a throw-away database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def northstar(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(NORTHSTAR), *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"northstar {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_until_serving(base: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("northstar serve stopped before answering")
        try:
            if requests.get(f"{base}/login/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    sys.exit(f"northstar serve did not answer within {seconds} s")


def sign_in(base: str, username: str) -> str:
    """Sign in through the form, like a browser; returns the session cookie's value."""
    http = requests.Session()
    http.get(f"{base}/login/", timeout=30)
    response = http.post(
        f"{base}/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": http.cookies["csrftoken"]},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        sys.exit(f"could not sign in as {username}: {response.status_code}")
    return str(http.cookies["sessionid"])


def run_wrk(url: str, *, clients: int, duration: int, cookie: str | None, script: Path) -> dict[str, Any]:
    command = ["wrk", "-t2", f"-c{clients}", f"-d{duration}s", "--timeout", "30s", "-s", str(script), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((ln for ln in result.stderr.splitlines() if ln.startswith("WRK_JSON ")), None)
    if line is None:
        sys.exit(f"wrk gave no result:\n{result.stdout}\n{result.stderr}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    seconds = raw["duration_us"] / 1e6
    kinds = ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    errors = sum(raw[k] for k in kinds)
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 1),
        "req_per_s": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "errors": errors,
        "error_detail": {k: raw[k] for k in kinds},
        "kb_per_response": round(raw["bytes"] / max(1, raw["requests"]) / 1024, 1),
    }


CPU_PROBE = """
import json, os, sys, time
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from northstar.core.models import User
from northstar.wsgi import application

user = User.objects.get(username=sys.argv[1])
session = SessionStore()
session.update({SESSION_KEY: str(user.pk), HASH_SESSION_KEY: user.get_session_auth_hash(),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend"})
session.create()

def get(path, signed_in):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http",
               "wsgi.input": sys.stdin.buffer, "wsgi.errors": sys.stderr,
               "HTTP_COOKIE": f"sessionid={session.session_key}" if signed_in else ""}
    status = []
    body = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
    assert status[0].startswith("200"), (path, status)
    return body

out = {}
for path, signed_in in json.loads(sys.argv[2]):
    for _ in range(3):
        get(path, signed_in)
    queries = []

    def count(run, sql, params, many, context):
        queries.append(sql)
        return run(sql, params, many, context)

    with connection.execute_wrapper(count):
        get(path, signed_in)
    started = time.process_time()
    for _ in range(20):
        get(path, signed_in)
    out[path] = {"cpu_ms": round((time.process_time() - started) / 20 * 1000, 1), "queries": len(queries)}
print(json.dumps(out))
"""


def server_cpu(env: dict[str, str], username: str) -> dict[str, dict[str, float]]:
    """Each page's Python CPU time per request and its query count, measured in one quiet process.

    Far less sensitive to a busy machine than requests per second (it leaves out the database
    server's own time), so it shows what a change did to a page's own cost.
    """
    pages = json.dumps([*((path, needs_login) for _, path, _, needs_login in PAGES), FLOOR])
    result = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-c", CPU_PROBE, username, pages],
        env={**env, "DJANGO_SETTINGS_MODULE": "northstar.settings"},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.exit(f"the CPU probe failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="Seconds per page.")
    parser.add_argument("--scale", default="standard", choices=("standard", "large"))
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/northstar_load")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: serve's own)")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("This benchmark drives wrk: install it with `apt-get install wrk`.")

    recreate_database(args.database)
    data_dir = tempfile.mkdtemp(prefix="northstar-load-")
    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "NORTHSTAR_DATA_DIR": data_dir,
        "SECRET_KEY": "load-test-only",
        "NORTHSTAR_JOBS": "thread",
    }
    started = time.perf_counter()
    northstar(env, "migrate", "--verbosity", "0")
    northstar(env, "demo", "--scale", args.scale)
    northstar(env, "createuser", "load-leader", "--role", "leader", "--password", PASSWORD)
    setup_seconds = time.perf_counter() - started

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [str(NORTHSTAR), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if args.workers:
        serve += ["--workers", str(args.workers)]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(LUA_REPORT)
        script = Path(handle.name)
    server = subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows: list[dict[str, Any]] = []
    try:
        wait_until_serving(base, server)
        cookie = sign_in(base, "load-leader")
        for name, path, heading, needs_login in PAGES:
            headers = {"Cookie": f"sessionid={cookie}"} if needs_login else {}
            check = requests.get(base + path, headers=headers, allow_redirects=False, timeout=60)
            if check.status_code != 200 or heading not in check.text:
                sys.exit(f"{name} ({path}) answered {check.status_code} without {heading!r}: not a fair test")
            for _ in range(3):  # warm: imports, template loading, connection set-up
                requests.get(base + path, headers=headers, timeout=60)
            load_before = os.getloadavg()
            result = run_wrk(
                base + path,
                clients=args.clients,
                duration=args.duration,
                cookie=cookie if needs_login else None,
                script=script,
            )
            load_after = os.getloadavg()
            rows.append(
                {
                    "page": name,
                    "path": path,
                    **result,
                    "load_avg_1m_before": round(load_before[0], 2),
                    "load_avg_1m_after": round(load_after[0], 2),
                }
            )
            print(
                f"{name}: {result['req_per_s']} req/s, p95 {result['p95_ms']} ms, {result['errors']} errors"
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        script.unlink(missing_ok=True)

    cpu = server_cpu(env, "load-leader")
    ceiling = rows[0]["req_per_s"]
    for row in rows:
        row["share_of_ceiling"] = round(row["req_per_s"] / ceiling, 3) if ceiling else None
        row["python_cpu_ms_per_request"] = cpu[row["path"]]["cpu_ms"]
        row["queries_per_request"] = cpu[row["path"]]["queries"]
    print()
    print(
        table(
            [
                "page",
                "req/s",
                "share of ceiling",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "errors",
                "KB",
                "CPU ms",
                "queries",
            ],
            [
                [
                    r["page"],
                    r["req_per_s"],
                    r["share_of_ceiling"],
                    r["p50_ms"],
                    r["p95_ms"],
                    r["p99_ms"],
                    r["errors"],
                    r["kb_per_response"],
                    r["python_cpu_ms_per_request"],
                    r["queries_per_request"],
                ]
                for r in rows
            ],
        )
    )
    with psycopg.connect(args.database.replace("postgres://", "postgresql://", 1)) as connection:
        server_version = connection.info.server_version
    record = {
        "benchmark": "load",
        **machine(),
        "database": f"PostgreSQL {server_version // 10000}.{server_version % 10000}",
        "server": "northstar serve (gunicorn)"
        + (f", {args.workers} workers" if args.workers else ", default workers and threads"),
        "clients": args.clients,
        "duration_s_per_page": args.duration,
        "demo_scale": args.scale,
        "setup_seconds": round(setup_seconds, 1),
        "load_avg_at_end": [round(x, 2) for x in os.getloadavg()],
        "aim": "each page at least a third of the ceiling's req/s, with 0 errors",
        "floor_signed_in_page": {"path": FLOOR[0], **cpu[FLOOR[0]]},
        "pages": rows,
    }
    out = Path(args.json) if args.json else RESULTS / "load.json"
    write_json(out, record)
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
