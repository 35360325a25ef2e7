import sys

from emby_processor.cli import main

sys.exit(main())
