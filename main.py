"""Same as ``emby-processor run``: workers and dashboard in one process."""

import sys

from emby_processor.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
