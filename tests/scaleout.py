"""Real ``dxbot serve`` processes for the scale-out tests, their output in files (a pipe nobody
reads would fill up and stall a busy server)."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.fakes import REPO, free_port


@dataclass
class Served:
    proc: subprocess.Popen
    port: int
    log: Path
    http: httpx.Client

    def stop(self, *, kill: bool = False) -> None:
        if self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
            self.proc.wait(timeout=20)
        self.http.close()


def serve(env: dict[str, str], log: Path, *args: str, timeout: float = 60) -> Served:
    port = free_port()
    out = log.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port), *args], env=env,
                            cwd=REPO, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if http.get("/healthz").status_code == 200:
                return Served(proc, port, log, http)
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"serve did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)
