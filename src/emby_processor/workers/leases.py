"""Start-up recovery: items held by a run of this service that no longer exists go back now.

A lease owner is ``host:pid:run/worker``. On the same host, a holder whose process is gone (or
whose pid is ours but whose run id is not — a restart in a container reuses pid 1) is dead, so
its items need not wait for the lease to expire.
"""

from __future__ import annotations

import logging
import os
import socket

import psutil

from emby_processor.db import QueueDB

logger = logging.getLogger("emby_processor.recovery")


def owner_is_dead(owner: str, run_id: str) -> bool:
    run = owner.split("/", 1)[0]
    parts = run.split(":")
    if len(parts) != 3 or parts[0] != socket.gethostname() or run == run_id:
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    return pid == os.getpid() or not psutil.pid_exists(pid)


def release_dead_holders(db: QueueDB, run_id: str) -> int:
    released = 0
    for owner in db.held_by():
        if owner_is_dead(owner, run_id):
            released += db.release_owner(owner.split("/", 1)[0] + "/")
    if released:
        logger.warning("%d items were held by a run that stopped; back to pending", released)
    # expired leases of other holders are the RetryHandler's, on its first step
    return released
