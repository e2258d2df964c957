"""A slack_sdk WebClient whose calls share keep-alive connections.

slack_sdk's synchronous client opens a new connection (urllib) for every call; under load each
answer then paid a TCP (and, against slack.com, a TLS) handshake. Here one urllib3 pool per
client keeps connections open across calls and threads. Everything above the socket — retry
handlers, SlackResponse, SlackApiError — stays slack_sdk's: a refusal is raised as the same
``HTTPError`` urllib would raise, and a connection failure as the same ``URLError``.
"""

from __future__ import annotations

import http.client
import io
import urllib.error
import urllib.request
from typing import Any, cast

import urllib3
from slack_sdk import WebClient


class PooledWebClient(WebClient):
    def __init__(self, *args: Any, pool_size: int = 8, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # retries=False: slack_sdk's own retry handlers decide; block=False: a burst past the pool
        # opens extra connections rather than waiting for one.
        self._pool = urllib3.PoolManager(maxsize=pool_size, block=False, retries=False,
                                         ssl_context=self.ssl if self.ssl is not None else None)

    def _perform_urllib_http_request_internal(self, url: str, req: urllib.request.Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith("http"):
            return super()._perform_urllib_http_request_internal(url, req)
        try:
            resp = self._pool.request(req.get_method(), req.full_url, body=cast("bytes | None", req.data), headers=dict(req.header_items()),
                                      timeout=self.timeout, preload_content=True, redirect=False)
        except urllib3.exceptions.HTTPError as exc:  # no connection, reset, timed out: as urllib says it
            raise urllib.error.URLError(exc.reason if hasattr(exc, "reason") else exc) from exc
        headers = http.client.HTTPMessage()
        for k, v in resp.headers.items():
            headers[k] = v
        if resp.status >= 400:
            raise urllib.error.HTTPError(req.full_url, resp.status, resp.reason or "", headers, io.BytesIO(resp.data))
        if headers.get_content_type() == "application/gzip":
            return {"status": resp.status, "headers": headers, "body": resp.data}
        return {"status": resp.status, "headers": headers,
                "body": resp.data.decode(headers.get_content_charset() or "utf-8")}
