"""The directory where ``serve --workers N`` lets its worker processes pool their metrics."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def multiprocess_metrics() -> Iterator[str]:
    """Set PROMETHEUS_MULTIPROC_DIR for the workers (an operator's own setting is kept as is).

    A directory made here belongs to this run: it starts empty, so counters do not carry over
    from an earlier one, and is removed at the end.
    """
    own = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if own:
        yield own
        return
    path = tempfile.mkdtemp(prefix="dxbot-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    try:
        yield path
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(path, ignore_errors=True)
