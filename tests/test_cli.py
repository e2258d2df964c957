"""The dxbot command on a fresh database path, as a new user would run it."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bot.cli import main


def run(tmp_path, *args: str, input: str | None = None):
    runner = CliRunner()
    return runner.invoke(main, list(args), env={"DXBOT_DB": str(tmp_path / "dxbot.db")}, input=input)


def test_show_prints_the_whole_project(tmp_path) -> None:
    result = run(tmp_path, "show", "2-3-1")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "RPA の活用拡充" in out and "デジタル行政推進課" in out
    assert "B（おおむね予定どおり実施）" in out
    assert "6,615" in out
    for target in ("8,000", "10,000", "12,000", "14,000"):
        assert f"目標 {target}" in out
    assert "実績 7,552" in out and "94.4%" in out
    assert (tmp_path / "dxbot.db").exists()  # built on first use


def test_show_accepts_odd_dashes_and_rejects_unknown_ids(tmp_path) -> None:
    assert "RPA の活用拡充" in run(tmp_path, "show", "２－３－１").output
    result = run(tmp_path, "show", "9-9-9")
    assert result.exit_code != 0 and "no project" in result.output


def test_glossary_lists_and_defines(tmp_path) -> None:
    listing = run(tmp_path, "glossary").stdout.splitlines()
    assert len(listing) == 39
    out = run(tmp_path, "glossary", "まいなぽーたる").output
    assert "マイナポータル" in out and "マイナンバーカードを使って" in out


def test_ingest_reports_and_is_idempotent(tmp_path) -> None:
    first = run(tmp_path, "ingest")
    assert first.exit_code == 0 and "26 projects, 39 glossary terms" in first.output
    assert "unchanged" in run(tmp_path, "ingest").output


def test_ingest_of_a_damaged_plan_names_the_line(tmp_path, plan_text) -> None:
    lines = plan_text.splitlines()
    cut = next(i for i, ln in enumerate(lines) if ln.startswith("事業番号\t1-3-2"))
    nxt = next(i for i, ln in enumerate(lines) if ln.startswith("事業番号\t1-3-3"))
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join(lines[: cut + 4] + lines[nxt:]), encoding="utf-8")  # 1-3-2 loses its second half
    result = run(tmp_path, "ingest", str(bad))
    assert result.exit_code != 0
    assert f"line {cut + 1}" in result.output and "1-3-2" in result.output


def test_ask_json_batch_keeps_order(tmp_path) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text("2-3-1の状況は？\nLGWANとは\n来週の天気\n", encoding="utf-8")
    result = run(tmp_path, "ask", "--json", "--batch", str(batch))
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [r["query"] for r in rows] == ["2-3-1の状況は？", "LGWANとは", "来週の天気"]
    assert [r["intent"] for r in rows] == ["project_status", "glossary", "unknown"]
    assert set(rows[0]) == {"query", "intent", "answers", "suggestions", "text"}
    assert rows[0]["answers"][0] == {"kind": "project", "id": "2-3-1", "title": "RPA の活用拡充", "score": 100.0}


def test_ask_prints_readable_answers(tmp_path) -> None:
    ja = run(tmp_path, "ask", "2-3-1の状況は？").output
    assert "B（おおむね予定どおり実施）" in ja and "業務フローの可視化を行いました" in ja
    en = run(tmp_path, "ask", "what does LGWAN mean?").output
    assert "Definition" in en and "自治体間や国の各府省等を接続する行政専用のネットワーク" in en


def test_ask_needs_a_question(tmp_path) -> None:
    assert run(tmp_path, "ask").exit_code != 0
