"""Follow-ups on every channel, the fallback for unanswered questions, the glossary list, and the
language a reader asks for — at the handler level (the channels' end-to-end tests drive them too)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers import Responder
from handlers.answer import Contact
from handlers.conversation import CONTEXT_TTL, answer_in_conversation
from state.catalog import load_catalog
from state.conversations import Conversations
from state.database import connect
from tests.conftest import NOW


def test_a_follow_up_survives_a_restart_and_expires(db_path) -> None:
    first = Conversations(connect(db_path))
    r = Responder(load_catalog(connect(db_path)))
    a = answer_in_conversation(r, first, "2-3-1の状況は？", key="line:U1", audience="citizen", now=NOW)
    assert a.answers[0].id == "2-3-1"
    # A new process on the same database: the conversation is still there.
    again = Conversations(connect(db_path))
    kpi = answer_in_conversation(r, again, "そのKPIは？", key="line:U1", audience="citizen",
                                 now=NOW + timedelta(minutes=9))
    assert kpi.intent == "project_kpi" and kpi.answers[0].id == "2-3-1" and kpi.assumed_project == "2-3-1"
    # Another user, or the same one after the context expired, gets no guess.
    other = answer_in_conversation(r, again, "そのKPIは？", key="line:U2", audience="citizen", now=NOW)
    assert other.intent == "unknown"
    late = answer_in_conversation(r, again, "そのKPIは？", key="line:U1", audience="citizen",
                                  now=NOW + timedelta(minutes=9) + CONTEXT_TTL + timedelta(seconds=1))
    assert late.intent == "unknown"


def test_a_list_does_not_replace_the_project_under_discussion(db) -> None:
    r, conv = Responder(load_catalog(db)), Conversations(db)
    answer_in_conversation(r, conv, "2-1-2の状況", key="web:s", audience="citizen", now=NOW)
    answer_in_conversation(r, conv, "A評価の事業", key="web:s", audience="citizen", now=NOW)
    follow = answer_in_conversation(r, conv, "スケジュールは？", key="web:s", audience="citizen", now=NOW)
    assert follow.answers[0].id == "2-1-2" and follow.intent == "project_schedule"


def test_the_requested_language_wins_over_the_message(responder: Responder) -> None:
    en = responder.answer("2-3-1の状況は？", audience="citizen", lang="en")
    assert en.lang == "en" and "Source:" in en.text and "Department" in en.text
    ja = responder.answer("what is LGWAN?", lang="ja")
    assert ja.intent == "glossary" and ja.lang == "ja" and "出典" in ja.text
    assert responder.answer("what is LGWAN?").lang == "en"  # unrequested: the message decides


def test_unanswered_offers_terms_help_and_a_person(catalog) -> None:
    r = Responder(catalog)
    a = r.answer("qwertyuiop", audience="citizen")
    assert a.intent == "unknown" and not a.answers
    assert a.popular and all(p.kind == "glossary" and p.id in catalog.terms for p in a.popular)
    assert "デジタル行政推進課" in a.text and a.contact is not None and a.contact.plan_url in a.text
    mine = Contact(name="船橋市 市民の声係", name_en="Citizens' voice desk", phone="047-000-0000",
                   url="https://example.jp/contact", plan_url="https://example.jp/dx-plan")
    en = Responder(catalog, contact=mine).answer("zzzz xyzzy plugh", lang="en")
    assert "Citizens' voice desk" in en.text and "047-000-0000" in en.text and "https://example.jp/dx-plan" in en.text
    assert en.to_json()["contact"]["url"] == "https://example.jp/contact"
    assert r.answer("2-3-1の状況は？").contact is None  # answered questions carry no fallback


@pytest.mark.parametrize("q", ["用語一覧", "用語の一覧", "用語の一覧を見せて", "用語集", "どんな用語がある？",
                               "glossary list", "list of terms", "show me all the terms", "glossary"])
def test_the_glossary_list(catalog, responder: Responder, q: str) -> None:
    a = responder.answer(q)
    assert a.intent == "glossary_list" and not a.projects
    assert [t.term for t in a.terms] == sorted(catalog.terms, key=lambda t: catalog.terms[t].position)
    assert len(a.terms) == len(catalog.terms) and all(t in a.text for t in catalog.terms)


@pytest.mark.parametrize("q", ["LGWANの用語", "事業一覧", "terms of use", "用語の意味"])
def test_other_questions_about_terms_are_not_the_list(responder: Responder, q: str) -> None:
    assert responder.answer(q).intent != "glossary_list"


def test_expired_web_and_line_conversations_are_purged(db) -> None:
    conv = Conversations(db)
    for key in ("web:abc", "line:hash", "slack:C1:123.4"):
        conv.remember(key, "2-3-1", now=NOW)
    for prefix in ("web:", "line:"):
        conv.purge(before=NOW + timedelta(days=1), prefix=prefix)
    assert conv.recall("web:abc", now=NOW) is None and conv.recall("line:hash", now=NOW) is None
    assert conv.recall("slack:C1:123.4", now=NOW) == "2-3-1"  # a Slack thread keeps its topic
