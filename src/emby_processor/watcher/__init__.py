"""Finding video files in the watch folders and queueing each version of each file once."""

from emby_processor.watcher.scanner import FileStat, FolderStatus, scan_folder
from emby_processor.watcher.settle import SettleTracker
from emby_processor.watcher.watcher import Watcher, scan_once

__all__ = [
    "FileStat",
    "FolderStatus",
    "SettleTracker",
    "Watcher",
    "scan_folder",
    "scan_once",
]
