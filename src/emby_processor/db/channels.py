"""The DMM channel prefixes seen per label (``providers.channels.ChannelStore``)."""

from __future__ import annotations

from emby_processor.db.base import StoreBase
from emby_processor.timeutil import now_iso

#: longer labels or prefixes are no DMM content id's: not recorded
MAX_LABEL, MAX_PREFIX = 20, 12


class ChannelRecords(StoreBase):
    def channel_prefixes(self, label: str) -> list[str]:
        """The prefixes seen for ``label``, most seen first."""
        rows = self._read(
            "SELECT prefix FROM dmm_channels WHERE label = ? ORDER BY seen DESC, prefix",
            (label.upper(),),
        )
        return [str(row["prefix"]) for row in rows]

    def learn_channel(self, label: str, prefix: str) -> None:
        label, prefix = label.upper(), prefix.lower()
        if not label or len(label) > MAX_LABEL or len(prefix) > MAX_PREFIX:
            return
        with self._pool.write() as conn:
            conn.execute(
                "INSERT INTO dmm_channels (label, prefix, seen, last_seen_at) VALUES (?, ?, 1, ?)"
                " ON CONFLICT (label, prefix) DO UPDATE SET seen = seen + 1,"
                " last_seen_at = excluded.last_seen_at",
                (label, prefix, now_iso()),
            )
