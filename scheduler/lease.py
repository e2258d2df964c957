"""Keep a sender's claims alive while it works, so a slow platform never hands them to another."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from state.outbox import Outbox, Row

log = logging.getLogger("dxbot.reminders")


class LeaseKeeper:
    """Renews the lease of every held row a few times per lease, from a thread of its own.

    A row whose renewal fails was taken over (its fence is lost): it is dropped from the held set
    and :meth:`holds` says so, so that the sender never posts it.
    """

    def __init__(self, outbox: Outbox, rows: list[Row], *, clock: Callable[[], datetime]) -> None:
        self.outbox = outbox
        self.clock = clock
        self._held = {row.id: row for row in rows}
        self._lost: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dxbot-lease", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        interval = max(0.05, self.outbox.lease.total_seconds() / 3)
        while not self._stop.wait(interval):
            with self._lock:
                for row in list(self._held.values()):
                    self._renew(row)

    def _renew(self, row: Row) -> bool:
        try:
            kept = self.outbox.renew(row, now=self.clock())
        except Exception:  # a busy database: try again at the next beat, the lease has slack
            log.exception("renewing the lease of %s failed", row.key)
            return True
        if not kept:
            log.warning("reminder %s: lease taken over by another sender; not sending it", row.key)
            self._held.pop(row.id, None)
            self._lost.add(row.id)
        return kept

    def holds(self, row: Row) -> bool:
        """Renew now; True while this sender still owns the row (call right before sending)."""
        with self._lock:
            return row.id not in self._lost and self._renew(row)

    def release(self, row: Row) -> None:
        with self._lock:
            self._held.pop(row.id, None)
