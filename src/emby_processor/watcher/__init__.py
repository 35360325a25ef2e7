"""Finding video files in the watch folders and queueing each version of each file once."""

from emby_processor.watcher.once import scan_once
from emby_processor.watcher.scanner import FileStat, FolderStatus, scan_folder
from emby_processor.watcher.settle import SettleTracker
from emby_processor.watcher.watcher import Watcher

__all__ = [
    "FileStat",
    "FolderStatus",
    "SettleTracker",
    "Watcher",
    "scan_folder",
    "scan_once",
]
