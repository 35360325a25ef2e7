"""The one HTTP client factory: every request to a provider, an image host or the media server.

What it guarantees, for every request it sends:

- **time**: a connect timeout, a read timeout (``PROVIDER_TIMEOUT_SECONDS``, per socket read) and
  a total wall-clock deadline (``UPSTREAM_DEADLINE_SECONDS``) that bounds every socket operation
  of the request, headers and body included, so a server that drips a byte every few seconds
  cannot hold a worker;
- **memory**: the body is read as a stream and decompressed here, chunk by chunk, and reading stops
  as soon as it passes the caller's cap (JSON a few MB, images 20 MB), so neither a huge answer
  nor a gzip bomb is ever held in memory;
- **connections**: at most ``max_connections`` open to one upstream;
- **manners**: one User-Agent naming the project;
- **proxies**: ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` as httpx reads them
  (``proxies.py``), loopback always direct;
- **Retry-After**: read as seconds or an HTTP date, finite, non-negative and capped at
  ``RETRY_BACKOFF_MAX_SECONDS``; a value that is none of these is ignored with a warning;
- **errors**: every httpx error becomes an ``errors.UpstreamError`` (or the subclass the caller
  names, e.g. ``MediaServerError``) with a message a person can act on. This package is the only
  place that catches httpx errors (``client.py``).

A ``Reply`` is the fully read answer. Status codes are the caller's business: what a 404 or a 401
means differs from one upstream to the next.
"""

from emby_processor.httpclient.client import HttpClientFactory, UpstreamClient
from emby_processor.httpclient.limits import (
    IMAGE_MAX_BYTES,
    JSON_MAX_BYTES,
    PROJECT_URL,
    USER_AGENT,
    HttpLimits,
    Reply,
    parse_retry_after,
)

__all__ = [
    "IMAGE_MAX_BYTES", "JSON_MAX_BYTES", "PROJECT_URL", "USER_AGENT", "HttpClientFactory",
    "HttpLimits", "Reply", "UpstreamClient", "parse_retry_after",
]
