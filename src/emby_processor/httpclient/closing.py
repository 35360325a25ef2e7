"""``with client:`` closes it: one mixin for the clients built on an ``UpstreamClient``."""

from __future__ import annotations

from typing import Self


class Closing:
    """Gives ``close()`` a ``with`` block: the client is closed when the block ends."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
