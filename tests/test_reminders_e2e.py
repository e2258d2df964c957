"""`dxbot serve` with its clock set just before a reminder: the whole round against a fake Slack."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from datetime import datetime
from urllib.parse import urlencode

import httpx
import pytest

from tests.fakes import cli_env, dxbot, free_port, slack_api, slack_headers

SECRET = "test-signing-secret"
START = "2027-04-30T08:59:57+09:00"  # three seconds before FY2026's first reminder
DIRECTORY = """
[admin]
channel = "CADMIN"
users = ["UADMIN"]

[departments."デジタル行政推進課"]
slack_channel = "CDIGI"
slack_users = ["UD1"]

[departments."総務法制課"]
slack_channel = "CSOMU"
slack_users = ["US1"]

[departments."契約課"]
slack_users = ["UK1", "UK2"]
"""


@pytest.fixture()
def served(db_path, tmp_path):
    offset = datetime.fromisoformat(START).timestamp() - time.time()
    api = slack_api(clock=lambda: time.time() + offset)
    (tmp_path / "directory.toml").write_text(DIRECTORY, encoding="utf-8")
    assert dxbot("departments", "load", str(tmp_path / "directory.toml"), env=cli_env(db_path)).returncode == 0
    port = free_port()
    proc = dxbot("serve", "--port", str(port), env=cli_env(db_path, api, clock=START, DXBOT_TICK_SECONDS="1"),
                 background=True)
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    deadline = time.monotonic() + 60
    while True:
        try:
            if http.get("/healthz").status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError(f"serve did not start: {proc.stderr.read() if proc.poll() is not None else ''}")
        time.sleep(0.2)
    yield api, http, db_path
    proc.terminate()
    proc.wait(timeout=10)
    http.close()
    api.close()


def keys(api) -> Counter:
    return Counter(m["metadata"]["event_payload"]["key"] for m in api.messages if m.get("metadata"))


def wait_keys(api, expected: set[str], timeout: float = 30) -> Counter:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = keys(api)
        if expected <= set(got):
            time.sleep(1.5)  # a few more ticks: nothing else may arrive
            return keys(api)
        time.sleep(0.1)
    raise AssertionError(f"got {keys(api)}")


def interaction(http, payload: dict) -> httpx.Response:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return http.post("/slack/events", content=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded", **slack_headers(SECRET, body)})


def submission(user: str, project: str, *, grade: str | None, kpi: dict[int, str], comment: str) -> dict:
    values = {"grade": {"value": {"type": "static_select",
                                  "selected_option": {"value": grade} if grade else None}},
              "comment": {"value": {"type": "plain_text_input", "value": comment}}}
    for no, v in kpi.items():
        values[f"kpi_{no}"] = {"value": {"type": "plain_text_input", "value": v}}
    return {"type": "view_submission", "user": {"id": user}, "team": {"id": "T1"}, "api_app_id": "A1",
            "view": {"id": "V1", "type": "modal", "callback_id": "dx_eval_submit",
                     "private_metadata": json.dumps({"project": project, "year": 2026}), "state": {"values": values}}}


def drafts(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT project_id, fiscal_year, grade, status, submitted_by, actuals FROM evaluations "
                            "WHERE source = 'submission' AND replaced_at IS NULL ORDER BY project_id").fetchall()


def test_a_reminder_round_the_form_and_publishing(served) -> None:
    api, http, db_path = served
    got = wait_keys(api, {"2026:reminder-30:デジタル行政推進課", "2026:reminder-30:総務法制課",
                          "2026:reminder-30:契約課", "2026:reminder-30:unrouted"})
    # Exactly one consolidated message per routed department, and the admin hears who has no route.
    assert set(got.values()) == {1}
    assert set(got) == {"2026:reminder-30:デジタル行政推進課", "2026:reminder-30:総務法制課",
                        "2026:reminder-30:契約課", "2026:reminder-30:unrouted"}
    by_key = {m["metadata"]["event_payload"]["key"]: m for m in api.messages}
    somu = by_key["2026:reminder-30:総務法制課"]
    assert somu["channel"] == "CSOMU" and "<@US1>" in json.dumps(somu["blocks"])
    button = next(b["accessory"] for b in somu["blocks"] if b.get("accessory"))
    assert button["text"]["text"] == "評価を入力" and json.loads(button["value"]) == {"project": "2-1-1", "year": 2026}
    assert by_key["2026:reminder-30:契約課"]["channel"] == "GUK1_UK2"  # users only: a group DM
    assert by_key["2026:reminder-30:unrouted"]["channel"] == "CADMIN"
    assert "広報課" in by_key["2026:reminder-30:unrouted"]["text"]

    # Snoozing brings the department's reminder back on the next business day, once.
    snooze_value = next(e["value"] for b in somu["blocks"] if b.get("block_id") == "dx_snooze" for e in b["elements"])
    r = interaction(http, {"type": "block_actions", "user": {"id": "US1"}, "team": {"id": "T1"}, "api_app_id": "A1",
                           "trigger_id": "t2", "channel": {"id": "CSOMU"}, "container": {"channel_id": "CSOMU"},
                           "message": {"ts": "1.2"}, "response_url": api.url + "/respond/snooze",
                           "actions": [{"action_id": "dx_snooze_1", "value": snooze_value, "type": "button",
                                        "block_id": "dx_snooze", "action_ts": "2"}]})
    assert r.status_code == 200
    assert "5月6日 09:00 にもう一度お知らせします" in api.wait_for("/respond/snooze")[0].json["text"]  # after Golden Week
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT key, state FROM outbox WHERE kind = 'snooze'").fetchall() == [
            ("2026:snooze:2027-05-06:総務法制課>総務法制課", "pending")]

    # The button opens the modal for a member of the department.
    r = interaction(http, {"type": "block_actions", "user": {"id": "US1"}, "team": {"id": "T1"}, "api_app_id": "A1",
                           "trigger_id": "trig", "channel": {"id": "CSOMU"}, "container": {"channel_id": "CSOMU"},
                           "message": {"ts": "1.1"}, "response_url": api.url + "/respond/x",
                           "actions": [{"action_id": "dx_eval_open_2-1-1", "value": button["value"], "type": "button",
                                        "block_id": "b", "action_ts": "1"}]})
    assert r.status_code == 200
    view = api.wait_for("/api/views.open")[0].json["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "dx_eval_submit"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["grade", "kpi_1", "comment"]

    # Someone outside the department is refused and nothing is stored.
    r = interaction(http, submission("UOUT", "2-1-1", grade="A", kpi={1: "60"}, comment="x"))
    assert r.json()["response_action"] == "errors" and "担当者と管理者だけ" in r.json()["errors"]["grade"]
    # Bad input is sent back with the reason, field by field.
    r = interaction(http, submission("US1", "2-1-1", grade=None, kpi={1: "六十"}, comment="x"))
    assert set(r.json()["errors"]) == {"grade", "kpi_1"}
    assert drafts(db_path) == []

    # A valid form is a draft; resubmitting replaces it and keeps the history.
    assert interaction(http, submission("US1", "2-1-1", grade="C", kpi={1: "58"}, comment="初回")).status_code == 200
    assert interaction(http, submission("US1", "2-1-1", grade="B", kpi={1: "６２"}, comment="修正")).status_code == 200
    assert interaction(http, submission("UADMIN", "2-3-1", grade="A", kpi={1: "10,500"},
                                        comment="目標を上回りました")).status_code == 200
    assert drafts(db_path) == [("2-1-1", 2026, "B", "draft", "US1", '{"1": 62.0}'),
                               ("2-3-1", 2026, "A", "draft", "UADMIN", '{"1": 10500.0}')]
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM evaluations WHERE project_id = '2-1-1' "
                            "AND source = 'submission'").fetchone()[0] == 2

    # The next round skips the department that has submitted everything.
    nxt = dxbot("remind", "--now", env=cli_env(db_path, api, clock="2027-05-17T09:00:30+09:00"))
    assert nxt.returncode == 0, nxt.stderr
    round2 = {k for k in keys(api) if k.startswith("2026:reminder-14")}
    assert "2026:reminder-14:総務法制課" not in round2
    assert {"2026:reminder-14:デジタル行政推進課", "2026:reminder-14:契約課"} <= round2

    # Before publishing: staff see the draft marked as such, citizens only the published grade.
    staff = dxbot("ask", "2-3-1の状況は？", env=cli_env(db_path)).stdout
    citizen = dxbot("ask", "--audience", "citizen", "2-3-1の状況は？", env=cli_env(db_path)).stdout
    assert "令和8年度の評価（下書き・未公表）: A" in staff and "目標を上回りました" in staff
    assert "令和8年度" not in citizen and "B（おおむね予定どおり実施）" in citizen
    published = dxbot("evaluations", "publish", "--year", "2026", env=cli_env(db_path))
    assert "published 2 evaluations" in published.stdout
    after = dxbot("ask", "--audience", "citizen", "2-3-1の状況は？", env=cli_env(db_path)).stdout
    assert "令和8年度の進み具合: A（予定より早く実施）" in after and "目標を上回りました" in after
    kpi = dxbot("ask", "2-3-1のKPI", env=cli_env(db_path)).stdout
    assert "令和8年度: 目標 —、実績 10,500" in kpi  # the published actual joins the KPI table


def test_app_home_shows_a_submission_made_from_its_own_button(served) -> None:
    """The Home's 評価を入力 opens the form; once it is saved, the Home reads 提出済 without a revisit."""
    api, http, _ = served
    event = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvHome",
                        "event_time": int(time.time()),
                        "event": {"type": "app_home_opened", "user": "US1", "channel": "D1", "tab": "home"}}).encode()
    http.post("/slack/events", content=event, headers={"Content-Type": "application/json", **slack_headers(SECRET, event)})

    def home_line(n: int) -> str:
        call = api.wait_for("/api/views.publish", n)[n - 1].json
        assert call["user_id"] == "US1"
        view = json.loads(call["view"]) if isinstance(call["view"], str) else call["view"]
        return next(b["text"]["text"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "dx_eval_open_2-1-1")

    assert "未提出" in home_line(1)
    home = {"id": "VHOME", "type": "home"}
    r = interaction(http, {"type": "block_actions", "user": {"id": "US1"}, "team": {"id": "T1"}, "api_app_id": "A1",
                           "trigger_id": "trig-home", "container": {"type": "view", "view_id": "VHOME"}, "view": home,
                           "actions": [{"action_id": "dx_eval_open_2-1-1", "type": "button", "block_id": "b",
                                        "value": json.dumps({"project": "2-1-1", "year": 2026}), "action_ts": "1"}]})
    assert r.status_code == 200 and api.wait_for("/api/views.open")[0].json["trigger_id"] == "trig-home"
    assert interaction(http, submission("US1", "2-1-1", grade="B", kpi={1: "62"}, comment="c")).status_code == 200
    line = home_line(2)
    assert "提出済（B）" in line and "未提出" not in line


def updates(api, channel: str) -> list[dict]:
    return [c.json for c in api.to("/api/chat.update") if c.json.get("channel") == channel]


def wait_updates(api, channel: str, count: int, timeout: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = updates(api, channel)
        if len(got) >= count:
            return got
        time.sleep(0.05)
    raise AssertionError(f"{channel}: {len(updates(api, channel))} chat.update calls, expected {count}")


def blocks_of(call: dict) -> list[dict]:
    return json.loads(call["blocks"]) if isinstance(call["blocks"], str) else call["blocks"]


def test_reminders_are_updated_as_projects_are_submitted_and_closed_after_the_deadline(served) -> None:
    api, http, db_path = served
    wait_keys(api, {"2026:reminder-30:デジタル行政推進課", "2026:reminder-30:総務法制課"})
    by_key = {m["metadata"]["event_payload"]["key"]: m for m in api.messages if m.get("metadata")}
    digital, somu = by_key["2026:reminder-30:デジタル行政推進課"], by_key["2026:reminder-30:総務法制課"]

    # 21 projects: a line each in one section and one select, not 21 sections with buttons.
    select = [e for b in digital["blocks"] if b["type"] == "actions" for e in b["elements"]
              if e["type"] == "static_select"]
    assert len(select) == 1 and len(select[0]["options"]) == 21
    assert len(digital["blocks"]) <= 8 and not any(b.get("accessory") for b in digital["blocks"])
    option = select[0]["options"][0]
    project = json.loads(option["value"])["project"]

    # Choosing a project in the select opens its form.
    r = interaction(http, {"type": "block_actions", "user": {"id": "UD1"}, "team": {"id": "T1"}, "api_app_id": "A1",
                           "trigger_id": "trig-pick", "channel": {"id": "CDIGI"}, "container": {"channel_id": "CDIGI"},
                           "message": {"ts": digital["ts"]}, "response_url": api.url + "/respond/pick",
                           "actions": [{"action_id": "dx_eval_pick", "type": "static_select", "block_id": "dx_eval_pick",
                                        "selected_option": option, "action_ts": "3"}]})
    assert r.status_code == 200
    view = api.wait_for("/api/views.open")[0].json["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert json.loads(view["private_metadata"])["project"] == project

    # A submission updates the posted reminder in place (same channel and ts), project by project.
    assert interaction(http, submission("UD1", project, grade="B", kpi={}, comment="順調")).status_code == 200
    update = wait_updates(api, "CDIGI", 1)[-1]
    assert update["ts"] == digital["ts"]
    text = json.dumps(blocks_of(update), ensure_ascii=False)
    assert f"*{project}*" in text and "4/30 提出済（B）" in text and "提出 1/21 事業" in text
    assert interaction(http, submission("US1", "2-1-1", grade="A", kpi={1: "60"}, comment="完了")).status_code == 200
    done = wait_updates(api, "CSOMU", 1)[-1]
    assert done["ts"] == somu["ts"]
    text = json.dumps(blocks_of(done), ensure_ascii=False)
    assert "4/30 提出済（A）" in text and "全1事業の提出が完了しました" in text
    assert not any(b.get("block_id") == "dx_snooze" for b in blocks_of(done))  # nothing left to snooze

    # The form opened again starts from the draft.
    again = dict(by_key["2026:reminder-30:総務法制課"])
    button = next(b["accessory"] for b in again["blocks"] if b.get("accessory"))
    interaction(http, {"type": "block_actions", "user": {"id": "US1"}, "team": {"id": "T1"}, "api_app_id": "A1",
                       "trigger_id": "trig-again", "channel": {"id": "CSOMU"}, "container": {"channel_id": "CSOMU"},
                       "message": {"ts": somu["ts"]}, "response_url": api.url + "/respond/again",
                       "actions": [{"action_id": button["action_id"], "value": button["value"], "type": "button",
                                    "block_id": "b", "action_ts": "4"}]})
    form = api.wait_for("/api/views.open", 2)[1].json["view"]
    form = json.loads(form) if isinstance(form, str) else form
    inputs = {b["block_id"]: b["element"] for b in form["blocks"] if b["type"] == "input"}
    assert inputs["grade"]["initial_option"]["value"] == "A"
    assert inputs["kpi_1"]["initial_value"] == "60" and inputs["comment"]["initial_value"] == "完了"
    confirmation = [c.json for c in api.to("/api/chat.postMessage") if c.json.get("channel") == "US1"]
    assert "公表は管理者が行います" in confirmation[-1]["text"] and "dxbot" not in confirmation[-1]["text"]

    # After the deadline the overdue notice goes out and the earlier reminder says it is closed.
    late = dxbot("remind", "--now", env=cli_env(db_path, api, clock="2027-06-01T09:00:30+09:00"))
    assert late.returncode == 0, late.stderr
    closed = wait_updates(api, "CDIGI", 2)[-1]
    assert closed["ts"] == digital["ts"]
    text = json.dumps(blocks_of(closed), ensure_ascii=False)
    assert "この依頼は締め切りました" in text and "4/30 提出済（B）" in text
    assert not any(b["type"] == "actions" for b in blocks_of(closed))  # no more input on the closed message
