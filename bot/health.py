"""/healthz: a short status for anyone (a load balancer needs no more), the details for operators.

The status fails (503) when this process cannot do its work: no plan loaded, the database not
answering, or the disk refusing a write, so a load balancer stops sending. The details (the
database's host, the queue counts, the plan's edition) go only to a staff credential or to a
caller on this host that came through no proxy.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request

PROBE_BYTES = 64 * 1024  # a write this size must succeed: SQLite's own writes are pages of 4 KB, in bursts
_FORWARDED = ("x-forwarded-for", "forwarded", "x-real-ip")


def disk_probe(directory: Path) -> dict[str, Any]:
    """Write, flush to disk and remove a small file beside the database; a failure is a full (or
    read-only, or over-quota) disk, on which nothing acknowledged could be stored."""
    path = directory / f".dxbot-health-{os.getpid()}"
    error = None
    try:
        with open(path, "wb") as probe:
            probe.write(b"\0" * PROBE_BYTES)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        error = exc.strerror or type(exc).__name__
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
    return {"disk": {"writable": error is None, **({"error": error} if error else {})}}


def gather(body: dict[str, Any], parts: list[Callable[[], dict[str, Any]]]) -> dict[str, Any]:
    """Each part's report added to ``body``, in order (the database's first). Once the database is
    known to be away, or a part cannot report, the rest are skipped: each would wait on the
    database in turn, and a load balancer waits for none of them."""
    for part in parts:
        if body.get("database", {}).get("reachable") is False or "unreported" in body:
            break
        try:
            body.update(part())
        except Exception as exc:  # noqa: BLE001 - whatever failed is what this reports
            body["unreported"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    return body


def failing(body: dict[str, Any]) -> list[str]:
    """What keeps this process from serving, by the parts' reports."""
    reasons = []
    if not body.get("knowledge", {}).get("projects"):
        reasons.append("no plan loaded")
    if body.get("database", {}).get("reachable") is False or "unreported" in body:
        reasons.append("database unreachable")
    if body.get("disk", {}).get("writable") is False:
        reasons.append("disk not writable")
    return reasons


def local_caller(request: Request) -> bool:
    """A caller on this host, not relayed by a proxy (a proxy's own address is loopback too)."""
    if request.client is None or any(h in request.headers for h in _FORWARDED):
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False
