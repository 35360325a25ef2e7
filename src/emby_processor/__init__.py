"""emby-processor: identify, file and describe JAV video files for Emby and Jellyfin."""

__version__ = "0.1.0"
