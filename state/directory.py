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
from typing import Any

from state.statedb import as_state

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
    def __init__(self, db: Any) -> None:
        self.state = as_state(db)  # the tables come from state.migrations

    # ------------------------------------------------------------------ edits
    def set(self, route: Route) -> None:
        self.state.execute(
            "INSERT INTO department_routes(department, slack_channel, slack_users, teams) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(department) DO UPDATE SET slack_channel = excluded.slack_channel, "
            "slack_users = excluded.slack_users, teams = excluded.teams",
            [route.department, route.slack_channel, json.dumps(list(route.slack_users)), json.dumps(list(route.teams))])

    def remove(self, department: str) -> bool:
        return self.state.execute("DELETE FROM department_routes WHERE department = ?", [department]) > 0

    def set_admin(self, *, channel: str | None, users: list[str]) -> None:
        self.state.execute("INSERT INTO directory_settings(key, value) VALUES ('admin', ?) ON CONFLICT(key) "
                           "DO UPDATE SET value = excluded.value", [json.dumps({"channel": channel, "users": users})])

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
        # Sorted here: PostgreSQL collations order Japanese differently from SQLite.
        rows = sorted(self.state.rows("SELECT * FROM department_routes"), key=lambda r: r["department"])
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
        row = self.state.one("SELECT value FROM directory_settings WHERE key = 'admin'")
        if row:
            data = json.loads(row["value"])
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
