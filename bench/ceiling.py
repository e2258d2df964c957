"""The ceiling for `bench/webhook.py`: a minimal Starlette app under the same uvicorn settings as
`dxbot serve` that only verifies the Slack HMAC / LINE signature and answers 200 (no queue, no
answers). Whatever the bot does beyond that is measured against it.

    uv run python -m bench.ceiling --port 8123   (SLACK_SIGNING_SECRET, LINE_CHANNEL_SECRET)
"""

from __future__ import annotations

import argparse
import os

import uvicorn
from linebot.v3.webhook import SignatureValidator
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route


def app(*, slack_secret: str, line_secret: str) -> Starlette:
    slack, line = SignatureVerifier(slack_secret), SignatureValidator(line_secret)

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if not slack.is_valid_request(body, dict(request.headers)):
            return Response("invalid signature", status_code=401)
        return Response(status_code=200)

    async def line_webhook(request: Request) -> Response:
        body = await request.body()
        if not line.validate(body.decode("utf-8"), request.headers.get("x-line-signature", "")):
            return PlainTextResponse("invalid signature", status_code=400)
        return PlainTextResponse("OK")

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/slack/events", slack_events, methods=["POST"]),
                             Route("/line/webhook", line_webhook, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    uvicorn.run(app(slack_secret=os.environ["SLACK_SIGNING_SECRET"], line_secret=os.environ["LINE_CHANNEL_SECRET"]),
                host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
