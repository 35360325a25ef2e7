"""The ``emby-processor`` command line: argument parsing; the work is the composition root's."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from emby_processor import __version__
from emby_processor.config import Settings, load_settings
from emby_processor.errors import ConfigError, StoreError
from emby_processor.vocabulary import STATUSES

EXIT_CONFIG = 2

DESCRIPTION = """\
Watches folders for video files named by product code (ABP-123, FC2-PPV-1234567, …),
fetches their metadata, files them into the library and updates Emby or Jellyfin.
Every setting comes from the environment or a .env file (see the README)."""


# the composition root imports every part (FastAPI, uvicorn, …): only the commands that run the
# service pay for that, ``parse`` and ``status`` start at once


def _run(args: argparse.Namespace) -> int:
    from emby_processor import composition

    return composition.run(_settings(), api=True, workers=True)


def _api(args: argparse.Namespace) -> int:
    from emby_processor import composition

    return composition.run(_settings(), api=True, workers=False)


def _workers(args: argparse.Namespace) -> int:
    from emby_processor import composition

    return composition.run(_settings(), api=False, workers=True)


def _scan(args: argparse.Namespace) -> int:
    from emby_processor import composition

    settings = _settings()
    folders = [Path(d) for d in args.dirs] or list(settings.watch_dirs)
    for folder in folders:
        if not folder.is_dir():
            print(f"emby-processor: {folder} is not a folder", file=sys.stderr)
            return EXIT_CONFIG
    added = composition.scan(settings, folders)
    print(f"queued {added} new file(s) from {', '.join(str(f) for f in folders)}")
    return 0


def _parse(args: argparse.Namespace) -> int:
    from emby_processor.cli_parse import format_parse_results

    print(format_parse_results(list(args.names)))
    return 0


def _status(args: argparse.Namespace) -> int:
    from emby_processor import composition

    settings = _settings()
    stats, beats = composition.queue_status(settings, top=args.top)
    if args.json:
        workers = {b.name: {"state": b.state, "beat_at": b.beat_at} for b in beats}
        print(json.dumps({**stats, "workers": workers}, ensure_ascii=False, indent=2))
        return 0
    print(f"queue {settings.db_path}")
    for key in ("total", *STATUSES):
        print(f"  {key:<11}{stats[key]:>8}")
    if stats["by_actress"]:
        print("top actresses")
        for name, count in stats["by_actress"].items():
            print(f"  {count:>6}  {name}")
    if beats:
        print("workers (last heartbeat)")
        for beat in beats:
            print(f"  {beat.name:<14}{beat.state:<10}{beat.beat_at}")
    return 0


def _hash_password(args: argparse.Namespace) -> int:
    """Print an argon2 hash for AUTH_PASSWORD_HASH; the password is asked twice on a terminal,
    else read from the first line of standard input (``echo secret | emby-processor …``)."""
    import getpass

    from argon2 import PasswordHasher

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("emby-processor: the two passwords differ", file=sys.stderr)
            return EXIT_CONFIG
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        print("emby-processor: use a password of at least 8 characters", file=sys.stderr)
        return EXIT_CONFIG
    print(PasswordHasher().hash(password))
    print("Set it as AUTH_PASSWORD_HASH with AUTH_MODE=password (in docker-compose.yml, write "
          "each $ as $$).", file=sys.stderr)
    return 0


def _settings() -> Settings:
    return load_settings()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emby-processor", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str
            ) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        return command

    add("run", _run, "run the workers and the dashboard in one process (the default)")
    add("api", _api, "run only the dashboard and HTTP API (workers run elsewhere on the same data)")
    add("workers", _workers, "run only the watcher and workers, without the dashboard")
    scan = add("scan", _scan, "queue the video files that are in DIR (default: WATCH_DIRS) now")
    scan.add_argument("dirs", nargs="*", metavar="DIR")
    parse = add("parse", _parse, "show how file names parse into movie codes")
    parse.add_argument("names", nargs="+", metavar="NAME")
    add("hash-password", _hash_password,
        "print a hash of a password for AUTH_PASSWORD_HASH (read from the terminal or stdin)")
    status = add("status", _status, "print the queue statistics from the database")
    status.add_argument("--top", type=int, default=10, help="how many actresses to list")
    status.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        args = parser.parse_args(["run", *(argv or [])])
    try:
        return int(args.handler(args))
    except ConfigError as error:
        print(f"emby-processor: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except StoreError as error:
        print(f"emby-processor: {error}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as error:
        # a damaged page is found only when a query reads it, after the database opened fine
        print(f"emby-processor: the queue database is damaged or unreadable: {error}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


__all__ = ["build_parser", "main"]
