"""A real `stores-api run` server on a free loopback port, SQLite in a temp dir, for the tests
that drive it from outside (newman, the browser)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

STORES_API = str(Path(sys.executable).parent / "stores-api")
REPO = Path(__file__).resolve().parent.parent
NODE_BIN = REPO / "node_modules" / ".bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """Start with start(); cli() runs other stores-api commands on the same database."""

    def __init__(self, workdir: Path, **env: str):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(workdir),
            "DATABASE_URL": f"sqlite:///{workdir / 'live.db'}",
            "FLASK_JWT_SECRET_KEY": "live-server-secret-key-0123456789-abcdefghij",
            # argon2 at its cheapest: these servers hash a handful of passwords, on a shared CPU
            "FLASK_ARGON2_MEMORY_COST": "1024",
            "FLASK_ARGON2_TIME_COST": "1",
            **env,
        }
        self.process: subprocess.Popen | None = None
        self._log = None

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [STORES_API, *args],
            env=self.env,
            cwd=self.workdir,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result

    def start(self) -> LiveServer:
        self.cli("db", "upgrade")
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [STORES_API, "run", "--host", "127.0.0.1", "--port", str(self.port), "--no-reload"],
            env=self.env,
            cwd=self.workdir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        try:
            self._wait_until_up(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_up(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()}")
            try:
                probe = self.url + "/healthz"  # http://127.0.0.1:<port>/healthz, never a file
                with urllib.request.urlopen(probe, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise RuntimeError("server did not answer /healthz within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log:
            self._log.close()
