"""The `northstar` command and the settings it runs with, in real subprocesses."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

NORTHSTAR = str(Path(sys.executable).with_name("northstar"))


# What the test process itself sets must not leak into the app we launch as a user would.
TEST_ONLY = {"SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def user_env(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in TEST_ONLY}, **extra}


def run(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script
        [NORTHSTAR, *args], env=user_env(**env), capture_output=True, text=True, timeout=timeout, check=False
    )


def test_help_lists_the_commands(tmp_path):
    result = run("--help", env={"NORTHSTAR_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0
    for command in ("serve", "demo", "createuser", "migrate", "check"):
        assert f"  {command}" in result.stdout


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        "NORTHSTAR_DATA_DIR": str(tmp_path),
        "NORTHSTAR_HTTPS": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "northstar.example.com",
    }
    result = run("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_bad_setting_is_named(tmp_path):
    result = run("check", env={"NORTHSTAR_DATA_DIR": str(tmp_path), "DEBUG": "maybe", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_local_secret_key_is_created_once_and_kept_private(tmp_path):
    run("check", env={"NORTHSTAR_DATA_DIR": str(tmp_path)})
    key_file = tmp_path / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 50
    assert oct(key_file.stat().st_mode)[-3:] == "600"
    run("check", env={"NORTHSTAR_DATA_DIR": str(tmp_path)})
    assert key_file.read_text() == key


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_flow_serves_pages_and_static_files_with_gunicorn(tmp_path):
    env = {"NORTHSTAR_DATA_DIR": str(tmp_path)}
    assert run("migrate", "-v", "0", env=env).returncode == 0
    with sqlite3.connect(tmp_path / "northstar.sqlite3") as db:  # the shared rate-limit cache's table
        assert db.execute("SELECT count(*) FROM northstar_cache").fetchone() == (0,)
    assert "Loaded the LumenPay demo" in run("demo", env=env).stdout
    assert "nothing changed" in run("demo", env=env).stdout
    first = run("createuser", "admin", "--role", "admin", "--demo-password", env=env).stdout
    again = run("createuser", "admin", "--role", "admin", "--demo-password", env=env).stdout
    assert first.startswith("Login: admin / ") and first == again
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [NORTHSTAR, "serve", "--port", str(port), "--workers", "1"],
        env=user_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its gunicorn worker is stopped with it, never left holding the pipe
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                login = urllib.request.urlopen(f"{base}/login/", timeout=5)  # noqa: S310 - loopback only
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    _stop_group(server, signal.SIGKILL)
                    raise AssertionError(server.communicate(timeout=20)[0][-3000:]) from None
                time.sleep(0.3)
        page = login.read().decode()
        assert login.status == 200
        assert "gunicorn" in login.headers.get("Server", "")
        css = next(part.split('"')[0] for part in page.split('href="') if part.split('"')[0].endswith(".css"))
        static = urllib.request.urlopen(base + css, timeout=5)  # noqa: S310
        assert static.status == 200
        assert "max-age" in static.headers.get("Cache-Control", "")
    finally:
        _stop_group(server, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            _stop_group(server, signal.SIGKILL)
            raise


def _stop_group(server: subprocess.Popen[str], how: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, how)


def test_the_demo_login_never_takes_over_a_real_admin(tmp_path):
    env = {"NORTHSTAR_DATA_DIR": str(tmp_path)}
    assert run("migrate", "-v", "0", env=env).returncode == 0
    assert (
        run("createuser", "admin", "--role", "admin", "--password", "my-own-secret-123", env=env).returncode
        == 0
    )
    result = run("createuser", "admin", "--role", "admin", "--demo-password", env=env)
    assert result.returncode == 0
    assert "left as it is" in result.stdout and "Login:" not in result.stdout
