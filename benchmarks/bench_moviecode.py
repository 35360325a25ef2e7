"""Benchmark of the movie-code parser.

Figures: names parsed per second on one core over a mixed list of 10,000 names (real-world
shapes: standard codes with noise, cids, FC2, uncensored studios, paths, and names with no code),
microseconds per name, and the memory the parser's tables take (tracemalloc around a fresh import
of the package, which compiles every regex).

Run: ``python benchmarks/bench_moviecode.py``; a runner can call :func:`run`.
"""

from __future__ import annotations

import importlib
import random
import sys
import time
import tracemalloc

LABELS = ["ABP", "SSIS", "IPX", "MIDV", "STARS", "FSDSS", "JUFE", "MIDE", "PRED", "SONE", "CAWD"]
TEMPLATES = [
    "{L}-{n:03d}.mp4", "{l}{n:03d}.mp4", "[Thz.la]{l}-{n:03d}-C.mp4", "hhd800.com@{L}-{n:03d}.mp4",
    "{L}-{n:03d}-cd{p}.mkv", "{l}00{n:03d}.mp4", "118{l}00{n:03d}hhb.mp4", "h_1472{l}{n:03d}.mp4",
    "FC2-PPV-{big}_{p}.mp4", "fc2ppv{big}.mp4", "heyzo_hd_{n4:04d}_full.mp4",
    "{mm:02d}{dd:02d}20-{n:03d}-carib-1080p.mp4", "1pondo_{mm:02d}{dd:02d}21_{n:03d}.mp4",
    "259LUXU-{n4}.mp4", "/watch/{L}-{n:03d}/CD{p}.mp4", "C:\\Videos\\{L}-{n:03d} 鈴村あいり.mp4",
    "【MONV】{L}-{n:03d} [FHD][x264] 中文字幕.mp4", "{L}-{n:03d}-uncensored-leak.mp4",
    "IMG_{n4:04d}.mp4", "vacation 20{yy:02d}.mp4", "DSC_{n4:04d}.JPG", "video1080.mp4",
    "Show.Name.S01E{dd:02d}.720p.WEB-DL.x264.mkv", "My holiday in Kyoto - day {p}.mp4",
]


def make_names(count: int = 10_000, seed: int = 1) -> list[str]:
    """A deterministic mixed list of ``count`` file names."""
    rng = random.Random(seed)
    names = []
    for _ in range(count):
        label = rng.choice(LABELS)
        names.append(
            rng.choice(TEMPLATES).format(
                L=label, l=label.lower(), n=rng.randint(1, 999), n4=rng.randint(1000, 9999),
                p=rng.randint(1, 4), big=rng.randint(100000, 4999999), mm=rng.randint(1, 12),
                dd=rng.randint(1, 28), yy=rng.randint(0, 29),
            )
        )
    return names


def table_memory() -> tuple[int, int]:
    """Bytes taken by the parser: (fresh import of the package, its compiled regexes alone).

    The standard-library modules it uses are imported first, so the first figure is the
    package's own code objects, tables and compiled regexes.
    """
    import collections.abc
    import dataclasses
    import re
    import typing
    import unicodedata

    del collections, dataclasses, typing, unicodedata
    for mod in [m for m in sys.modules if m.startswith("emby_processor.moviecode")]:
        del sys.modules[mod]
    re.purge()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    package = importlib.import_module("emby_processor.moviecode")
    imported = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()

    patterns = [f.pattern for f in package.FAMILIES]
    for module in ("noise", "suffix", "parser"):
        mod = sys.modules[f"emby_processor.moviecode.{module}"]
        patterns += [v for v in vars(mod).values() if isinstance(v, re.Pattern)]
    sources = [(p.pattern, p.flags) for p in patterns]
    re.purge()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    compiled = [re.compile(src, flags) for src, flags in sources]
    regexes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del compiled
    return imported, regexes


def run() -> dict[str, float | str]:
    """Run the benchmark and return its figures."""
    imported, regexes = table_memory()
    from emby_processor.moviecode import parse_movie_code

    names = make_names()
    for name in names[:500]:  # warm-up
        parse_movie_code(name)
    best = float("inf")
    found = 0
    for _ in range(5):
        start = time.perf_counter()
        found = sum(parse_movie_code(name) is not None for name in names)
        best = min(best, time.perf_counter() - start)
    return {
        "names": float(len(names)),
        "names_with_code": float(found),
        "names_per_second": round(len(names) / best),
        "microseconds_per_name": round(best / len(names) * 1e6, 2),
        "import_memory_kib": round(imported / 1024, 1),
        "regex_memory_kib": round(regexes / 1024, 1),
        "python": sys.version.split()[0],
    }


_UNITS = {
    "names": "names", "names_with_code": "names", "names_per_second": "names/s",
    "microseconds_per_name": "us", "import_memory_kib": "KiB",
    "regex_memory_kib": "KiB", "python": "",
}


def main() -> None:
    for key, value in run().items():
        shown = f"{value:g}" if isinstance(value, float) else value
        print(f"{key}: {shown} {_UNITS.get(key, '')}".rstrip())


if __name__ == "__main__":
    main()
