"""The Slack app (slack-bolt): listeners translate, the handler answers, render draws."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.slack import inbound
from bot.slack import home, lookup, share
from bot.slack.render import render
from handlers import Context, Responder
from handlers.answer import Answer
from handlers.state import Conversations, Inbox, QuestionLog
from scheduler.calendar import evaluation_year

log = logging.getLogger("dxbot.slack")
Clock = Callable[[], datetime]


def web_client(*, token: str, base_url: str, max_retries: int = 5) -> WebClient:
    """A WebClient that waits out HTTP 429 (Retry-After) instead of failing."""
    client = WebClient(token=token, base_url=base_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=max_retries))
    return client


class SlackBot:
    """Wires Bolt listeners to the handler; the Bolt ``App`` is ``self.app``."""

    def __init__(self, *, responder: Responder, db: Any, clock: Clock, signing_secret: str, client: WebClient,
                 departments_of: Callable[[str], list[str]] | None = None,
                 on_answer: Callable[[str, Answer, float, str | None], None] | None = None,
                 log_salt: str = "dxbot") -> None:
        self.responder = responder
        self.clock = clock
        self.signing_secret = signing_secret
        self.inbox = Inbox(db)
        self.conversations = Conversations(db)
        self.questions = QuestionLog(db, salt=log_salt)
        self.departments_of = departments_of or (lambda user: [])
        self.on_answer = on_answer or (lambda channel, answer, seconds, user: None)
        self.app = App(client=client, signing_secret=signing_secret, process_before_response=False,
                       token_verification_enabled=False)
        self._register()

    # ------------------------------------------------------------------ wiring
    def _register(self) -> None:
        app = self.app
        app.middleware(self._dedupe)
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.event("app_home_opened")(self._on_home)
        app.command("/dx")(self._on_command)
        app.action(re.compile(r"^dx_project_(project_\w+)$"))(self._on_project_button)
        app.action(re.compile(r"^dx_pick_\d+$"))(self._on_pick)
        app.action("dx_more")(self._on_more)
        share.register(app, responder=self.responder)
        lookup.register(app, responder=self.responder)

    def _dedupe(self, body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        """Slack retries an event it thinks failed (X-Slack-Retry-Num): answer each event_id once."""
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and event_id:
            if not self.inbox.claim(event_id, channel="slack", now=self.clock()):
                log.info("duplicate Slack event %s ignored", event_id)
                return BoltResponse(status=200, body="")
        next()
        return None

    # ------------------------------------------------------------------ listeners
    def _on_mention(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        self._answer_event(body, inbound.from_mention(event), client)

    def _on_message(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        question = inbound.from_direct_message(event)
        if question is None:
            self._finish(body)
            return
        self._answer_event(body, question, client)

    def _on_command(self, ack: Callable[..., None], command: dict[str, Any], respond: Callable[..., Any]) -> None:
        ack()  # within Slack's 3 seconds, before any work
        answer = self._ask(inbound.from_command(command), channel="slack")
        respond(response_type="ephemeral", **share.with_share_button(render(answer), answer))

    def _on_project_button(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any],
                           client: WebClient, respond: Callable[..., Any]) -> None:
        ack()
        intent = re.match(r"^dx_project_(project_\w+)$", action["action_id"]).group(1)  # type: ignore[union-attr]
        self._answer_pick(inbound.from_action(body, action, intent=intent), client, respond)

    def _on_pick(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any],
                 client: WebClient, respond: Callable[..., Any]) -> None:
        ack()
        self._answer_pick(inbound.from_action(body, action), client, respond)

    def _on_more(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any], client: WebClient,
                 respond: Callable[..., Any]) -> None:
        """The next page of a long list, in the same thread."""
        ack()
        data = json.loads(action.get("value") or "{}")
        self.responder.refresh()
        answer = self.responder.answer(str(data.get("q", "")), audience="staff")
        message = render(answer, page=int(data.get("page", 1)))
        pick = inbound.from_action(body, action)
        if pick.channel and pick.thread_ts:
            client.chat_postMessage(channel=pick.channel, thread_ts=pick.thread_ts, **message)
        else:
            respond(response_type="ephemeral", replace_original=False, **message)

    def _on_home(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        user = event.get("user", "")
        self.responder.refresh()
        view = home.dashboard(self.responder, departments=self.departments_of(user),
                              fiscal_year=evaluation_year(self.clock()), lang=home.user_lang(client, user))
        client.views_publish(user_id=user, view=view)
        self._finish(body)

    # ------------------------------------------------------------------ work
    def _ask(self, q: inbound.Question, *, channel: str) -> Answer:
        now = self.clock()
        self.responder.refresh()
        context = Context(last_project=self.conversations.recall(q.context_key, now=now, ttl=q.context_ttl))
        started = time.perf_counter()
        answer = self.responder.answer(q.text, audience="staff", context=context)
        elapsed = time.perf_counter() - started
        projects = [a.id for a in answer.answers if a.kind == "project"]
        if len(projects) == 1:
            self.conversations.remember(q.context_key, projects[0], now=now)
        self.questions.observe(answer, channel=channel, user_id=q.user, now=now)
        self.on_answer(channel, answer, elapsed, q.user)
        return answer

    def _answer_event(self, body: dict[str, Any], q: inbound.Question, client: WebClient) -> None:
        try:
            answer = self._ask(q, channel="slack")
            client.chat_postMessage(channel=q.channel, thread_ts=q.thread_ts, **render(answer))
        except Exception:
            if body.get("event_id"):
                self.inbox.release(body["event_id"])  # let Slack's retry try again
            raise
        self._finish(body)

    def _answer_pick(self, pick: inbound.Pick, client: WebClient, respond: Callable[..., Any]) -> None:
        self.responder.refresh()
        if pick.kind == "glossary":
            answer = self.responder.term_answer(pick.id)
        else:
            answer = self.responder.project_answer(pick.id, pick.intent)
        message = render(answer)
        if pick.channel and pick.thread_ts:
            client.chat_postMessage(channel=pick.channel, thread_ts=pick.thread_ts, **message)
            if pick.kind == "project":
                self.conversations.remember(f"slack:{pick.channel}:{pick.thread_ts}", pick.id, now=self.clock())
        else:  # a button on an ephemeral message has no thread: answer where it was pressed
            respond(response_type="ephemeral", replace_original=False, **message)

    def _finish(self, body: dict[str, Any]) -> None:
        if body.get("event_id"):
            self.inbox.done(body["event_id"], now=self.clock())
