"""The fake Slack and LINE APIs of tests/fakes.py in a process of their own, for bench/webhook.py.

The real platforms are other machines: with the fakes inside the bench process, their threads and
the load generator took turns on one GIL, and the bench measured itself. Here they have their own
interpreter. Protocol on stdin/stdout (one JSON line each): at start the process prints the two
URLs; each ``counts`` line it reads is answered with how many replies each LINE reply token and
each Slack thread got.

    uv run python -m bench.fake_apis
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from tests.fakes import line_api, slack_api


def main() -> None:
    slack, line = slack_api(), line_api()
    print(json.dumps({"slack": slack.url, "line": line.url}), flush=True)
    tokens: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    seen = {"line": 0, "slack": 0}  # calls already counted: each poll reads only the new ones
    for command in sys.stdin:
        if command.strip() == "counts":
            replies, posts = line.to("/v2/bot/message/reply"), slack.to("/api/chat.postMessage")
            tokens.update(c.json["replyToken"] for c in replies[seen["line"]:])
            threads.update(c.json.get("thread_ts") for c in posts[seen["slack"]:])
            seen.update(line=len(replies), slack=len(posts))
            print(json.dumps({"tokens": tokens, "threads": threads}), flush=True)
    slack.close()
    line.close()


if __name__ == "__main__":
    main()
