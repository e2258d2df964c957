"""A knowledge-base file kept across an upgrade (a Docker volume) is rebuilt when what it was built
from changed: the bundled aliases, the schema, the bundled plan. A plan an operator loaded from a
file is rebuilt from its own text, not replaced by the bundled one."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def ask(db: Path, question: str) -> dict:
    env = {**os.environ, "DXBOT_DB": str(db)}
    run = subprocess.run([sys.executable, "-c", "from bot.cli import main; main()", "ask", "--json", question],
                         capture_output=True, text=True, env=env, timeout=120, check=True)
    return json.loads(run.stdout.splitlines()[0])


def older_release(db: Path, *, target: str) -> None:
    """The file as an older release left it: built without the aliases this release ships for ``target``."""
    with sqlite3.connect(db) as c:
        c.execute("DELETE FROM aliases WHERE target = ? AND source != 'user'", [target])
        c.execute("UPDATE meta SET value = 'older' WHERE key = 'inputs_sha256'")


def test_a_kept_knowledge_base_answers_with_this_releases_aliases_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "knowledge.db"
    assert [a["id"] for a in ask(db, "シーサートとは")["answers"]] == ["CSIRT"]
    older_release(db, target="CSIRT")
    assert [a["id"] for a in ask(db, "シーサートとは")["answers"]] == ["CSIRT"]


def test_a_plan_loaded_from_a_file_is_rebuilt_from_its_own_text(tmp_path: Path) -> None:
    db = tmp_path / "knowledge.db"
    plan = tmp_path / "plan.txt"
    bundled = (Path(__file__).resolve().parents[1] / "knowledge" / "data" / "funabashi_dx_action_plan_r5.txt")
    plan.write_text(bundled.read_text(encoding="utf-8").replace("RPA の活用拡充", "RPA の活用拡大"), encoding="utf-8")
    env = {**os.environ, "DXBOT_DB": str(db)}
    subprocess.run([sys.executable, "-c", "from bot.cli import main; main()", "ingest", str(plan), "--force"],
                   capture_output=True, text=True, env=env, timeout=120, check=True)
    older_release(db, target="CSIRT")
    answer = ask(db, "2-3-1の状況は？")
    assert answer["answers"][0]["title"] == "RPA の活用拡大"  # the operator's plan, not the bundled one
    assert [a["id"] for a in ask(db, "シーサートとは")["answers"]] == ["CSIRT"]
