"""Telemetry: Prometheus metrics and structured logs (one JSON object per line).

Logs carry a request id, the channel, the intent, the score and the latency; never a citizen's
raw user id (only a salted hash), never personal data a question held (masked: state.personal_data)
and never a line break from user text (JSON escapes it).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import sys
import uuid
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from handlers.answer import Answer
from state.conversations import hash_user
from state.personal_data import mask

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class JsonFormatter(logging.Formatter):
    _second: tuple[int, str] = (-1, "")

    def _time(self, record: logging.LogRecord) -> str:
        """The record's time to the second, formatted once per second (strftime is most of a line's cost)."""
        second = int(record.created)
        if self._second[0] != second:
            self._second = (second, self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"))
        return self._second[1]

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {"time": self._time(record), "level": record.levelname,
                                "logger": record.name, "message": record.getMessage()}
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        # JSON leaves U+2028, U+2029 and NEL as they are, and many tools break lines at them.
        return json.dumps(data, ensure_ascii=False).replace("\u2028", "\\u2028").replace(
            "\u2029", "\\u2029").replace("\x85", "\\u0085")


def setup_logging(stream: Any = None, *, level: int = logging.INFO) -> None:
    # A record's thread, process and caller are not in our lines: not looking them up saves a
    # fifth of what an answer's log line costs (the logging HOWTO's "Optimization").
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging._srcfile = None
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per tick says nothing


class Telemetry:
    def __init__(self, *, salt: str = "dxbot", logger: logging.Logger | None = None,
                 multiprocess_dir: str | None = None) -> None:
        # With several worker processes (``serve --workers N`` sets PROMETHEUS_MULTIPROC_DIR) each
        # writes its samples to files there and a scrape, whichever worker takes it, adds them up.
        self.multiprocess_dir = multiprocess_dir or os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
        self.registry = CollectorRegistry()
        self.salt = salt
        self.log = logger or logging.getLogger("dxbot.answers")
        self.questions = Counter("dxbot_questions", "Questions answered", ["channel", "intent"], registry=self.registry)
        self.unknown = Counter("dxbot_unknown_questions", "Questions nothing in the plan answers", ["channel"],
                               registry=self.registry)
        self.latency = Histogram("dxbot_answer_seconds", "Time to answer a question", ["channel"],
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.rejects = Counter("dxbot_webhook_rejects", "Requests refused at the edge", ["reason"],
                               registry=self.registry)
        self.reminders = Counter("dxbot_reminders", "Reminder deliveries", ["result"], registry=self.registry)
        # Every worker reads the same outbox: the freshest worker's count is the count.
        self.outbox = Gauge("dxbot_outbox_rows", "Outbox rows by state", ["state"], registry=self.registry,
                            multiprocess_mode="livemostrecent")
        self.unknown_rate = Gauge("dxbot_unknown_rate", "Share of questions answered 'unknown' (per worker)",
                                  registry=self.registry, multiprocess_mode="liveall")
        self.inbound = Gauge("dxbot_inbound_rows", "Inbound queue rows by channel and state", ["channel", "state"],
                             registry=self.registry, multiprocess_mode="livemostrecent")
        self.inbound_age = Gauge("dxbot_inbound_oldest_seconds", "Age of the oldest unanswered event",
                                 ["channel"], registry=self.registry, multiprocess_mode="livemostrecent")
        self._outbox_source: Callable[[], dict[str, int]] = dict
        self._inbound_source: Callable[[], dict[str, dict[str, Any]]] = dict
        self._total = 0
        self._unknown = 0
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}
        # Request ids: this process's random prefix and a serial number (unique, and no system call).
        self._run = uuid.uuid4().hex[:6]
        self._serial = itertools.count(1)

    def _child(self, metric: Any, *labels: str) -> Any:
        """``metric.labels(*labels)``, looked up once (it takes a lock and builds a key each time)."""
        key = (id(metric), labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def answered(self, channel: str, answer: Answer, seconds: float, *, user: str | None = None,
                 request_id: str | None = None) -> None:
        self._child(self.questions, channel, answer.intent).inc()
        self._child(self.latency, channel).observe(seconds)
        self._total += 1
        if answer.intent == "unknown":
            self._child(self.unknown, channel).inc()
            self._unknown += 1
        self.unknown_rate.set(self._unknown / self._total)
        self.log.info("answered", extra={"fields": {
            "request_id": request_id or f"{self._run}{next(self._serial):x}", "channel": channel, "intent": answer.intent,
            "score": round(answer.score, 1), "latency_ms": round(seconds * 1000, 2), "lang": answer.lang,
            "answers": [a.id for a in answer.answers][:5], "query": mask(answer.query)[:200],
            "user": hash_user(user, salt=self.salt) if user else None,
        }})

    def answered_hook(self, channel: str, answer: Answer, seconds: float, user: str | None) -> None:
        self.answered(channel, answer, seconds, user=user)

    def rejected(self, reason: str) -> None:
        self.rejects.labels(reason).inc()
        self.log.warning("rejected", extra={"fields": {"reason": reason}})

    def delivered(self, report: Any) -> None:
        for result, keys in (("sent", report.sent), ("retry", report.retried), ("skipped", report.skipped),
                             ("recovered", report.recovered), ("unknown", report.held), ("lost", report.lost)):
            if keys:
                self.reminders.labels(result).inc(len(keys))

    def watch_outbox(self, source: Callable[[], dict[str, int]]) -> None:
        self._outbox_source = source

    def watch_inbound(self, source: Callable[[], dict[str, dict[str, Any]]]) -> None:
        """``source``: per channel, the queue's health (counts by state, oldest_unfinished_seconds)."""
        self._inbound_source = source

    def exposition(self) -> tuple[bytes, str]:
        counts = self._outbox_source()
        for state in ("pending", "sending", "sent", "failed", "skipped"):
            self.outbox.labels(state).set(counts.get(state, 0))
        for channel, health in self._inbound_source().items():
            for state in ("pending", "processing", "done", "failed"):
                self.inbound.labels(channel, state).set(health.get(state, 0))
            self.inbound_age.labels(channel).set(health.get("oldest_unfinished_seconds", 0))
        if self.multiprocess_dir:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=self.multiprocess_dir)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
