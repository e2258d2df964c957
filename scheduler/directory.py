"""The department directory: where each 担当部署's reminders go, and who may submit for it.

A department maps to a Slack channel and/or Slack users. A placeholder name in the plan
("システム所管課") maps to real teams, each with a route of its own. Admins (default: the
デジタル行政推進課's people) may submit for any project and get the overdue summaries.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from knowledge.store import write_transaction

DEFAULT_ADMIN_DEPARTMENT = "デジタル行政推進課"


@dataclass(frozen=True)
class Route:
    department: str
    slack_channel: str | None = None
    slack_users: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    @property
    def reachable(self) -> bool:
        return bool(self.slack_channel or self.slack_users)


@dataclass(frozen=True)
class Admin:
    channel: str | None
    users: tuple[str, ...] = field(default_factory=tuple)


class Directory:
    def __init__(self, db: Database) -> None:
        self.db = db
        with write_transaction(db):
            db["department_routes"].create(
                {"department": str, "slack_channel": str, "slack_users": str, "teams": str}, pk="department",
                if_not_exists=True,
            )
            db["directory_settings"].create({"key": str, "value": str}, pk="key", if_not_exists=True)

    # ------------------------------------------------------------------ edits
    def set(self, route: Route) -> None:
        with self.db.lock:  # type: ignore[attr-defined]
            self.db["department_routes"].upsert({
                "department": route.department, "slack_channel": route.slack_channel,
                "slack_users": json.dumps(list(route.slack_users)), "teams": json.dumps(list(route.teams)),
            }, pk="department")
            self.db.conn.commit()

    def remove(self, department: str) -> bool:
        with self.db.lock:  # type: ignore[attr-defined]
            cur = self.db.execute("DELETE FROM department_routes WHERE department = ?", [department])
            self.db.conn.commit()
            return cur.rowcount > 0

    def set_admin(self, *, channel: str | None, users: list[str]) -> None:
        with self.db.lock:  # type: ignore[attr-defined]
            self.db["directory_settings"].upsert({"key": "admin", "value": json.dumps(
                {"channel": channel, "users": users})}, pk="key")
            self.db.conn.commit()

    def load_toml(self, path: Path) -> int:
        """Load ``[admin]`` and ``[departments."名前"]`` tables; returns how many departments were set."""
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        count = 0
        for name, entry in data.get("departments", {}).items():
            self.set(Route(name, entry.get("slack_channel"), tuple(entry.get("slack_users", [])),
                           tuple(entry.get("teams", []))))
            count += 1
        if "admin" in data:
            self.set_admin(channel=data["admin"].get("channel"), users=list(data["admin"].get("users", [])))
        return count

    # ------------------------------------------------------------------ reads
    def routes(self) -> dict[str, Route]:
        with self.db.lock:  # type: ignore[attr-defined]
            rows = list(self.db.query("SELECT * FROM department_routes ORDER BY department"))
        return {r["department"]: Route(r["department"], r["slack_channel"], tuple(json.loads(r["slack_users"] or "[]")),
                                       tuple(json.loads(r["teams"] or "[]"))) for r in rows}

    def resolve(self, department: str) -> list[Route]:
        """Where a department's notices go: its own route, or its teams' routes for a placeholder."""
        routes = self.routes()
        route = routes.get(department)
        if route is None:
            return []
        if route.teams:
            return [routes[t] for t in route.teams if t in routes and routes[t].reachable]
        return [route] if route.reachable else []

    def admin(self) -> Admin:
        with self.db.lock:  # type: ignore[attr-defined]
            row = self.db.execute("SELECT value FROM directory_settings WHERE key = 'admin'").fetchone()
        if row:
            data = json.loads(row[0])
            return Admin(data.get("channel"), tuple(data.get("users", [])))
        fallback = self.routes().get(DEFAULT_ADMIN_DEPARTMENT)
        return Admin(fallback.slack_channel if fallback else None, fallback.slack_users if fallback else ())

    def departments_of(self, user: str) -> list[str]:
        """The departments a Slack user is listed for (a team counts for its placeholder too)."""
        routes = self.routes()
        own = [name for name, r in routes.items() if user in r.slack_users]
        own += [name for name, r in routes.items() if r.teams and set(r.teams) & set(own) and name not in own]
        return own

    def may_submit(self, user: str, departments: tuple[str, ...]) -> bool:
        return user in self.admin().users or bool(set(self.departments_of(user)) & set(departments))
