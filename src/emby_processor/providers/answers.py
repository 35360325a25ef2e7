"""Reading a provider's answer: HTML instead of JSON, broken JSON, unhappy statuses.

The request itself (timeouts, size caps, error translation) is ``httpclient``'s; these helpers
judge the ``Reply`` it returns, the same way for every network provider.
"""

from __future__ import annotations

import json
import re
from typing import Any

from emby_processor.errors import UpstreamAuthError, UpstreamError
from emby_processor.httpclient import Reply

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def is_html(reply: Reply) -> bool:
    if "html" in reply.content_type:
        return True
    return reply.content.lstrip()[:1] == b"<"


def describe_body(reply: Reply) -> str:
    """A short, log-safe hint of what the body was: its HTML title or its first characters."""
    title = _TITLE.search(reply.content[:4096])
    raw = title.group(1) if title else reply.content[:80]
    text = " ".join(raw.decode("utf-8", "replace").split())
    return text or "empty body"


def json_payload(reply: Reply, service: str) -> Any:
    """The decoded JSON body, or a readable transient error for HTML and broken JSON."""
    if is_html(reply):
        raise UpstreamError(
            service,
            f"answered HTTP {reply.status_code} with an HTML page instead of JSON "
            f"({describe_body(reply)!r})",
        )
    try:
        return json.loads(reply.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UpstreamError(
            service,
            f"answered HTTP {reply.status_code} with truncated or invalid JSON "
            f"({len(reply.content)} bytes: {exc})",
        ) from exc


def status_error(
    reply: Reply, service: str, detail: str = ""
) -> UpstreamError | UpstreamAuthError:
    """The error for an unsuccessful answer: 401 is permanent, everything else may pass."""
    status = reply.status_code
    what = f"HTTP {status}" + (f" ({detail})" if detail else "")
    if status == 401:
        return UpstreamAuthError(service, f"{what}: the token was rejected")
    if status == 429 or status >= 500:
        return UpstreamError(service, f"{what}: try again later", retry_after=reply.retry_after)
    return UpstreamError(service, what)
