"""Debian's nginx with the shipped ``deploy/nginx.conf``, for the deployment tests: the substitutions
docs/deploy.md gives for running it without Docker (the hosts' addresses for ``dxbot-a:8000`` and
``dxbot-b:8000``, the certificate's directory for ``/etc/nginx/tls/``) plus free ports on 127.0.0.1
for ``listen 443`` and ``listen 80``; run in the foreground as a child process, with its pid, logs
and temp files under a directory of the test's own."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes import REPO, free_port

SHIPPED = REPO / "deploy" / "nginx.conf"
# What the docs say to replace, exactly as the shipped file spells it.
UPSTREAMS = ("dxbot-a:8000", "dxbot-b:8000")
TLS_DIR = "/etc/nginx/tls/"
LISTEN_TLS, LISTEN_PLAIN = "listen 443 ssl;", "listen 80;"
PUBLIC_NAME = "dx.test"


def binary() -> str | None:
    """Debian's nginx lives in /usr/sbin, which a user's PATH may lack."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def require() -> str:
    """The nginx binary; outside CI its absence skips the test, under CI it is a failure (.ci/run
    installs Debian's nginx)."""
    found = binary()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's nginx (see .ci/run)")
        pytest.skip("Debian's nginx is not installed here (apt-get install nginx)")
    return found


def certificate(folder: Path) -> Path:
    """A self-signed certificate for PUBLIC_NAME and 127.0.0.1 (openssl), as fullchain.pem and
    privkey.pem in ``folder``, the names the shipped configuration reads."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", f"/CN={PUBLIC_NAME}",
                    "-addext", f"subjectAltName=DNS:{PUBLIC_NAME},IP:127.0.0.1",
                    "-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem")],
                   check=True, capture_output=True)
    return folder / "fullchain.pem"


def substituted(*, upstreams: tuple[str, str], tls_dir: Path, tls_port: int, plain_port: int) -> str:
    """The shipped configuration with the docs' substitutions (each must apply: the docs name them)."""
    text = SHIPPED.read_text(encoding="utf-8")
    for old, new in ((UPSTREAMS[0], upstreams[0]), (UPSTREAMS[1], upstreams[1]), (TLS_DIR, f"{tls_dir}/"),
                     (LISTEN_TLS, f"listen 127.0.0.1:{tls_port} ssl;"),
                     (LISTEN_PLAIN, f"listen 127.0.0.1:{plain_port};")):
        assert old in text, f"deploy/nginx.conf no longer says {old!r}, which docs/deploy.md tells to replace"
        text = text.replace(old, new)
    return text


@dataclass
class Nginx:
    prefix: Path
    config: Path
    tls_port: int
    plain_port: int
    ca: Path
    binary: str
    proc: subprocess.Popen | None = None

    def command(self, *extra: str) -> list[str]:
        return [self.binary, "-p", str(self.prefix), "-c", str(self.config), "-e", str(self.prefix / "error.log"),
                *extra]

    def test(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command("-t"), capture_output=True, text=True, check=False)

    def start(self) -> None:
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=(self.prefix / "stderr.log").open("w"))
        deadline = time.monotonic() + 20
        while not (self.prefix / "nginx.pid").exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start:\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in (self.prefix / "error.log", self.prefix / "stderr.log")
                         if p.exists())

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def configure(prefix: Path, *, upstreams: tuple[str, str]) -> Nginx:
    """The shipped configuration under ``prefix``, inside a main configuration of the test's own (the
    one a distribution ships around ``conf.d/``): foreground, logs and temp files under ``prefix``."""
    found = require()
    prefix.mkdir(parents=True, exist_ok=True)
    ca = certificate(prefix / "tls")
    tls_port, plain_port = free_port(), free_port()
    (prefix / "dxbot.conf").write_text(substituted(upstreams=upstreams, tls_dir=prefix / "tls", tls_port=tls_port,
                                                   plain_port=plain_port), encoding="utf-8")
    temp = " ".join(f"{kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                      "scgi"))
    # As root, nginx's workers would drop to a user who cannot enter the test's private directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = (f"{user}daemon off;\nworker_processes 2;\npid {prefix / 'nginx.pid'};\n"
            "events { worker_connections 512; }\n"
            f"http {{\n  access_log {prefix / 'access.log'};\n  {temp}\n  include {prefix / 'dxbot.conf'};\n}}\n")
    config = prefix / "nginx.conf"
    config.write_text(main, encoding="utf-8")
    return Nginx(prefix=prefix, config=config, tls_port=tls_port, plain_port=plain_port, ca=ca, binary=found)
