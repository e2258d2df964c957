"""Answers asked again come from the cache, and never outlive the knowledge they were drawn from."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers import Responder
from handlers.answer import Context
from knowledge import changes
from state.catalog import load_catalog
from state.database import connect
from state.evaluations import Submission, publish, submit_draft
from tests.fakes import cli_env, dxbot

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_a_question_asked_again_is_answered_the_same_from_the_cache(db) -> None:
    responder = Responder(load_catalog(db), cache_size=8)
    first = responder.answer("2-3-1の状況は？")
    again = responder.answer("2-3-1の状況は？")
    assert again == first and responder.cache.hits == 1
    # The audience, the conversation and the language asked for are part of the question.
    assert responder.answer("2-3-1の状況は？", audience="citizen").audience == "citizen"
    assert responder.answer("2-3-1の状況は？", lang="en").lang == "en"
    follow_up = responder.answer("そのKPIは？", context=Context(last_project="1-3-1"))
    assert [a.id for a in follow_up.answers] == ["1-3-1"]
    assert [a.id for a in responder.answer("そのKPIは？", context=Context(last_project="2-3-1")).answers] == ["2-3-1"]


def test_a_published_evaluation_shows_in_the_next_answer_to_the_same_question(db) -> None:
    responder = Responder(load_catalog(db), cache_size=8)
    before = responder.answer("2-3-1の状況は？", audience="citizen")
    assert "想定を上回る成果" not in before.text
    submit_draft(db, Submission("2-3-1", 2026, "A", {1: 11000.0}, "想定を上回る成果", "U1"), now=NOW)
    publish(db, 2026, now=NOW)
    assert responder.refresh()  # what every channel does before answering
    after = responder.answer("2-3-1の状況は？", audience="citizen")
    assert "想定を上回る成果" in after.text


def test_a_server_looks_for_changes_every_so_often_and_at_once_after_its_own(db_path) -> None:
    """The server's responder reads the generations at most every ``recheck_seconds``: another
    process's change shows within that time, this process's own at the next question."""
    ticks = [100.0]
    db = connect(db_path)
    responder = Responder(load_catalog(db), cache_size=8, recheck_seconds=0.5, monotonic=lambda: ticks[0])
    assert not responder.refresh()
    assert [a.id for a in responder.answer("ロボ化の状況は？").answers[:1]] != ["2-3-1"]
    assert dxbot("aliases", "add", "ロボ化", "2-3-1", env=cli_env(db_path)).returncode == 0  # another process
    assert not responder.refresh()  # looked 0 s ago
    ticks[0] += 0.6
    assert responder.refresh()
    assert responder.answer("ロボ化の状況は？").answers[0].id == "2-3-1"
    submit_draft(db, Submission("2-3-1", 2026, "A", {1: 11000.0}, "想定を上回る成果", "U1"), now=NOW)
    publish(db, 2026, now=NOW)  # this process: seen at once
    assert responder.refresh()
    assert "想定を上回る成果" in responder.answer("2-3-1の状況は？", audience="citizen").text
    # A thread of this process notes its change inside its transaction; the server looks before
    # that transaction commits, and must keep looking until it has.
    ticks[0] += 0.6
    changes.note()
    assert not responder.refresh()
    assert dxbot("aliases", "add", "ロボ化2", "1-3-1", env=cli_env(db_path)).returncode == 0  # the commit
    ticks[0] += 0.1
    assert responder.refresh()
    assert responder.answer("ロボ化2の状況は？").answers[0].id == "1-3-1"


def test_the_least_recently_asked_leave_first(db) -> None:
    responder = Responder(load_catalog(db), cache_size=2)
    for q in ("LGWANとは", "RPAとは", "LGWANとは", "DXとは"):
        responder.answer(q)
    responder.answer("LGWANとは")  # kept: asked more recently than RPA
    responder.answer("RPAとは")  # gone: asked again, understood again
    assert (responder.cache.hits, responder.cache.misses) == (2, 4)


def test_a_library_responder_keeps_no_answers(db) -> None:
    responder = Responder(load_catalog(db))
    responder.answer("LGWANとは")
    responder.answer("LGWANとは")
    assert responder.cache.hits == 0


def test_the_conversation_is_looked_up_only_by_the_answers_that_follow_it(db) -> None:
    """Recalling a conversation is a database read (a round trip on PostgreSQL): a question that
    names its own subject never makes it, a follow-up does, cached or not."""
    recalled: list[str] = []

    def context() -> Context:
        return Context(recall=lambda: recalled.append("read") or "1-3-1")

    for cache_size in (0, 8):
        recalled.clear()
        responder = Responder(load_catalog(db), cache_size=cache_size)
        for _ in range(2):
            assert [a.id for a in responder.answer("2-3-1の状況は？", context=context()).answers] == ["2-3-1"]
            assert responder.answer("LGWANとは", context=context()).intent == "glossary"
        assert recalled == []
        for _ in range(2):
            assert [a.id for a in responder.answer("そのKPIは？", context=context()).answers] == ["1-3-1"]
        assert recalled == ["read", "read"]
