"""A real PostgreSQL server for the tests: initdb and pg_ctl in a temp dir, on a free port, with its
unix socket in that dir, stopped and removed at the end. Debian's ``postgresql`` package provides
the binaries (``.ci/run`` installs it); under CI a missing server fails the tests, elsewhere it skips.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def bindir() -> Path | None:
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        candidates.append(out)
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb")).resolve().parent))  # type: ignore[arg-type]
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base: Path
    port: int
    bin: Path
    user: str | None
    _names: itertools.count = itertools.count(1)

    @property
    def socket_dir(self) -> str:
        return str(self.base)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://dxbot@127.0.0.1:{self.port}/{dbname}"

    def new_database(self, prefix: str = "t") -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def stop(self) -> None:
        _run([str(self.bin / "pg_ctl"), "-D", str(self.base / "data"), "-m", "immediate", "-w", "stop"],
             user=self.user, check=False)
        shutil.rmtree(self.base, ignore_errors=True)


def _run(cmd: list[str], *, user: str | None, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, user=user, capture_output=True, text=True, check=check, stdin=subprocess.DEVNULL)


def start() -> Server:
    """Start a throwaway server (PostgreSQL refuses to run as root: then as the ``postgres`` user)."""
    found = bindir()
    if found is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found; "
                                "install Debian's postgresql package")
    user = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="dxbot-pg-"))
    if user:
        shutil.chown(base, user)
    data = base / "data"
    _run([str(found / "initdb"), "-D", str(data), "-U", "dxbot", "--auth=trust", "-E", "UTF8", "--locale=C",
          "--no-sync"], user=user)
    port = free_port()
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " \
           "-c full_page_writes=off -c max_connections=200"
    try:
        _run([str(found / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "server.log"), "-w", "start"],
             user=user)
    except subprocess.CalledProcessError as exc:
        log = (base / "server.log").read_text(errors="replace") if (base / "server.log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start failed: {exc.stderr}\n{log}") from exc
    return Server(base=base, port=port, bin=found, user=user)
