"""Bad input gets a clear answer and loses nothing.

- Hostile scraped metadata (``../``, NUL, 300-byte names, RTL marks, emoji, XML syntax, reserved
  device names) through the *whole* organizer on a real disk — plan, move, ``.nfo`` and images —
  with hypothesis: the video lands inside the library with its bytes, every name fits in 255
  bytes, nothing is created outside the library, no temp name stays, and the ``.nfo`` parses as
  XML and gives back the text minus the characters XML cannot carry. (The pure template property
  is in ``tests/organizer/test_template_hypothesis.py``; this one goes through the file system.)
- Malformed settings through the real CLI, for every command: exit 2, one line naming the
  variable, no traceback — including values that used to pass validation and crash the workers
  later (``inf``/``1e300`` durations) and a ``.env`` that is not UTF-8.
- A read-only database (an immutable file, and a read-only mount): the workers refuse to start
  with one line, ``status`` still reads it, and the file is unchanged.
- A full disk under the library: the item gets a readable error, the source is intact, nothing
  half-written is left; once there is room, a retry files it.
- A corrupted database: ``status`` (and the workers) say so in one line, exit non-zero, no
  traceback.

Mounting a tmpfs needs root; where the machine does not allow it the affected test is skipped
with the reason (a property of the machine, not a missing dependency).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emby_processor.metadata import MovieMetadata, Person
from emby_processor.organizer import Organizer
from emby_processor.organizer.filer import execute
from emby_processor.organizer.sidecars import sidecar_paths
from tests.fakes.images import TINY_JPEG
from tests.pipeline.stack import InProcess, Stack, running_stack, sha256, wait_for
from tests.reliability.proc import TEMP_SUFFIX, clean_environment, temp_names, walk_files
from tests.reliability.storage import tmpfs

# --- hostile metadata through the organizer and the .nfo writer -------------------------------

HOSTILE = [
    "../", "..", "../../etc/passwd", "/abs/path", "a\\b", "\x00", "a\x00b", "\x1b[31mred",
    "\u202egnp.exe", "\u200f", "\u2066isolated\u2069", "\ufeffbom", "\u200b", "\u0085",
    "👩\u200d👩\u200d👧", "🇯🇵", "🎬" * 80, "x" * 300, "あ" * 110, "CON", "nul.mp4", "LPT1",
    " .hidden", "-rf", 'a:b*c?d"e<f>g|h', "\r\n", "\t", "trailing. ", "<movie>&amp;</movie>",
    "]]>", "<!-- -->", "&#0;", "\udcff", "\ud800", "Ω≈ç√", "\U000e0041tag",
]
text = st.one_of(
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=6).map("".join),
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=320),
)
#: the code is never scraped text: it is the parser's canonical form (short, [0-9A-Z_-])
CODES = st.sampled_from(
    ["ABP-123", "FC2-1234567", "HEYZO-1234", "010120_001", "N1234", "259LUXU-1234"])
TEMPLATES = st.sampled_from([
    "{actress}/{code}/{code}{part}{ext}",
    "{actresses}/{maker}/{series}/{code} {title}{part}{ext}",
    "{title}/{label} - {title} [{code}]{part}{ext}",
    "{year}/{maker}/{actresses} - {title}{part}{ext}",
])
EXTENSIONS = st.sampled_from([".mp4", ".MKV", ".wmv", ".mp4\u202e", ". mp4", ".МР4", ".mp4."])

#: everything outside XML 1.0's Char production (and lone surrogates)
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """What an XML document can carry of ``value`` (line ends normalised, ends trimmed)."""
    return _NOT_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _bytes_ok(path: Path) -> bool:
    return all(0 < len(os.fsencode(part)) <= 255 for part in path.parts)


@st.composite
def hostile_movies(draw: st.DrawFn) -> tuple[str, MovieMetadata]:
    code = draw(CODES)
    metadata = MovieMetadata(
        code=code, title=draw(text), original_title=draw(text), plot=draw(text),
        maker=draw(text), label=draw(text), series=draw(text),
        genres=draw(st.lists(text, max_size=4)), directors=draw(st.lists(text, max_size=2)),
        actresses=[Person(name=n) for n in draw(st.lists(text, max_size=5))],
        year=draw(st.one_of(st.none(), st.integers(1900, 2100))),
        cover_url="http://127.0.0.1:9/cover.jpg",
    )
    return code, metadata


def test_hostile_metadata_through_the_organizer_and_nfo(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    examples = 2000 if request.config.getoption("--soak") else 300

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(movie=hostile_movies(), template=TEMPLATES, ext=EXTENSIONS,
           multi_part=st.booleans())
    def check(movie: tuple[str, MovieMetadata], template: str, ext: str,
              multi_part: bool) -> None:
        code, metadata = movie
        with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
            _file_and_check(Path(folder), code, metadata, template, ext, multi_part)

    check()


def _file_and_check(
    root: Path, code: str, metadata: MovieMetadata, template: str, ext: str, multi_part: bool
) -> None:
    watch, library = root / "watch", root / "library"
    watch.mkdir()
    library.mkdir()
    organizer = Organizer(library, "move", template, write_nfo=True, write_images=True,
                          image_fetcher=lambda url: TINY_JPEG)
    parts: list[int | None] = [1, 2] if multi_part else [None]
    filed: dict[Path, str] = {}
    for part in parts:
        content = os.urandom(64) + str(part).encode()
        source = watch / f"video{part or ''}{ext}"
        source.write_bytes(content)
        intent = organizer.plan(source, metadata, code, part)
        assert intent is not None
        video = execute(intent)
        assert not source.exists()
        filed[video] = hashlib.sha256(content).hexdigest()
        result = organizer.finish(video, metadata)
        assert not [w for w in result.warnings if "not written" in w], result.warnings
        _check_nfo(sidecar_paths(video)["nfo"], code, metadata)
    assert len(filed) == len(parts), "two parts were filed under one name"
    real_library = os.path.realpath(library) + os.sep
    for video, digest in filed.items():
        assert os.path.realpath(video).startswith(real_library), video
        assert _bytes_ok(video.relative_to(library)), video
        assert hashlib.sha256(video.read_bytes()).hexdigest() == digest
        for sidecar in sidecar_paths(video).values():
            assert sidecar.is_file() and sidecar.parent == video.parent, sidecar
    # nothing outside the library, nothing left in the watch folder, no temp names
    for path in walk_files(root):
        assert str(path).startswith(str(library) + os.sep), f"written outside: {path}"
        assert len(os.fsencode(path.name)) <= 255
        assert not path.name.endswith(TEMP_SUFFIX), path


def _check_nfo(nfo: Path, code: str, metadata: MovieMetadata) -> None:
    data = nfo.read_bytes()
    assert b"<!DOCTYPE" not in data and b"<!ENTITY" not in data
    root = ET.fromstring(data)
    assert root.tag == "movie"

    def one(tag: str) -> str | None:
        found = root.findall(tag)
        assert len(found) <= 1, tag
        return found[0].text if found else None

    def expect(value: str | None) -> str | None:
        return (xml_text(value) or None) if value is not None else None

    title = f"{code} {metadata.title}".strip() if metadata.title else code
    assert one("title") == expect(title)
    assert one("originaltitle") == expect(metadata.original_title)
    assert one("plot") == expect(metadata.plot)
    assert one("studio") == expect((metadata.maker or "").replace("/", "／") or None)
    assert one("set") == expect(metadata.series)
    genres = [xml_text(g.replace("/", "／")) for g in metadata.genres]
    assert [g.text for g in root.findall("genre")] == [g for g in genres if g]
    names = [xml_text(p.name) for p in metadata.actresses]
    assert [a.findtext("name") for a in root.findall("actor")] == [n for n in names if n]
    for element in root.iter():
        for value in (element.text or "", *element.attrib.values()):
            assert not _NOT_XML.search(value), (element.tag, value)


# --- malformed settings through the CLI ---------------------------------------------------------

BAD_SETTINGS = [
    # (command, variable, value, words the one line must contain)
    ("workers", "LEASE_SECONDS", "inf", ("LEASE_SECONDS", "finite")),
    ("run", "RETRY_BACKOFF_MAX_SECONDS", "1e300", ("RETRY_BACKOFF_MAX_SECONDS", "at most 1e+10")),
    ("workers", "CLEANUP_COMPLETED_AFTER_DAYS", "1e300", ("CLEANUP_COMPLETED_AFTER_DAYS",)),
    ("api", "PROVIDER_TIMEOUT_SECONDS", "nan", ("PROVIDER_TIMEOUT_SECONDS",)),
    ("scan", "LIBRARY_TEMPLATE", "../{code}{ext}", ("LIBRARY_TEMPLATE", "..")),
    ("status", "LIBRARY_TEMPLATE", "{code}/{title}", ("LIBRARY_TEMPLATE", "{ext}")),
    ("run", "EMBY_URL", "javascript:alert(1)", ("EMBY_URL", "http")),
    ("workers", "EMBY_PATH_MAP", "no-equals-sign", ("EMBY_PATH_MAP", "=")),
    ("run", "FILE_WORKERS", "0", ("FILE_WORKERS",)),
    ("api", "API_PORT", "70000", ("API_PORT", "65535")),
    ("workers", "ORGANIZE_MODE", "teleport", ("ORGANIZE_MODE",)),
    ("run", "WRITE_NFO", "perhaps", ("WRITE_NFO",)),
    ("status", "LOG_BUFFER_LINES", "9" * 40, ("LOG_BUFFER_LINES",)),
    ("workers", "MAX_RETRIES", "x" * 5000, ("MAX_RETRIES",)),
    ("run", "SCAN_INTERVAL_SECONDS", "-1\n2", ("SCAN_INTERVAL_SECONDS",)),
    ("workers", "DATA_DIR", "<a file>", ("DATA_DIR", "is a file")),
    ("run", ".env", "API_PORT=\xff\xfe", (".env", "UTF-8")),
]


def _cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emby_processor", *args], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )


def test_malformed_settings_stop_every_command_with_one_line(tmp_path: Path) -> None:
    def attempt(n: int, case: tuple[str, str, str, tuple[str, ...]]) -> str | None:
        command, name, value, words = case
        cwd = tmp_path / f"case{n}"
        cwd.mkdir()
        # every other setting valid and local: nothing would reach the internet
        env = clean_environment({"WATCH_DIRS": str(cwd), "DATA_DIR": str(cwd / "data"),
                                 "API_HOST": "127.0.0.1", "R18DEV_URL": "http://127.0.0.1:9"})
        if name == ".env":
            (cwd / ".env").write_bytes(value.encode("latin-1"))
        elif value == "<a file>":
            (cwd / "a-file").write_text("x")
            env[name] = str(cwd / "a-file")
        else:
            env[name] = value
        result = _cli([command], cwd, env)
        lines = result.stderr.strip().splitlines()
        problems = []
        if result.returncode != 2:
            problems.append(f"exit {result.returncode}")
        if len(lines) != 1 or "Traceback" in result.stderr:
            problems.append(f"{len(lines)} lines on stderr: {result.stderr[:500]!r}")
        elif not all(word in lines[0] for word in words):
            problems.append(f"{lines[0][:300]!r} does not name {words}")
        if len(result.stderr) > 600:
            problems.append(f"{len(result.stderr)} characters: a hostile value is echoed whole")
        if (cwd / "data").exists():
            problems.append("it created the data folder before failing")
        return f"{command} with {name}={value[:30]!r}: " + "; ".join(problems) if problems else None

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(attempt, range(len(BAD_SETTINGS)), BAD_SETTINGS))
    assert [o for o in outcomes if o] == []


# --- read-only, full and corrupted storage ------------------------------------------------------




def _remount(path: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True,
                   capture_output=True)


def _make_db(folder: Path) -> Path:
    """A real queue database with a few items, made by the real CLI."""
    watch = folder / "watch"
    watch.mkdir(parents=True, exist_ok=True)
    for name in ("ABP-123.mp4", "SSIS-001.mkv", "no code here.mp4"):
        (watch / name).write_bytes(os.urandom(512))
    env = clean_environment({"WATCH_DIRS": str(watch), "DATA_DIR": str(folder / "data")})
    result = _cli(["scan"], folder, env)
    assert result.returncode == 0, result.stderr
    db = folder / "data" / "queue.db"
    conn = sqlite3.connect(db)
    try:  # fold the WAL in, so the main file is the whole story
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return db


def _one_line_failure(result: subprocess.CompletedProcess[str], *words: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode not in (0, 2), (result.returncode, result.stderr)
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert all(word in lines[0] for word in words), lines[0]


def _env_for(db: Path) -> dict[str, str]:
    return clean_environment({"WATCH_DIRS": str(db.parent.parent / "watch"),
                              "DATA_DIR": str(db.parent), "R18DEV_URL": "http://127.0.0.1:9"})


def _immutable(path: Path, on: bool) -> bool:
    flag = "+i" if on else "-i"
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_read_only_database_file(tmp_path: Path) -> None:
    """The file itself cannot be written (root ignores 0444, so an immutable file stands in)."""
    db = _make_db(tmp_path)
    for extra in ("-wal", "-shm"):
        Path(str(db) + extra).unlink(missing_ok=True)
    if os.geteuid() == 0:
        if not _immutable(db, True):
            pytest.skip("this file system has no immutable attribute (chattr +i) for root")
    else:
        db.chmod(0o444)
        db.parent.chmod(0o555)
    before = sha256(db)
    try:
        workers = _cli(["workers"], tmp_path, _env_for(db))
        scan = _cli(["scan"], tmp_path, _env_for(db))
        status = _cli(["status", "--json"], tmp_path, _env_for(db))
    finally:
        if os.geteuid() == 0:
            _immutable(db, False)
        else:
            db.parent.chmod(0o755)
            db.chmod(0o644)
    _one_line_failure(workers, str(db), "cannot be written", "readonly")
    _one_line_failure(scan, "cannot be written")
    assert status.returncode == 0, status.stderr  # reading still works: a person can look
    assert '"total": 3' in status.stdout
    assert sha256(db) == before


def test_database_on_a_read_only_mount(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "16m") as mount:
        db = _make_db(mount)
        before = sha256(db)
        _remount(mount, "ro")
        try:
            for command in ("status", "workers", "scan"):
                _one_line_failure(_cli([command], tmp_path, _env_for(db)),
                                  "cannot open the queue database", str(db))
        finally:
            _remount(mount, "rw")
        assert sha256(db) == before


def _smash_table_root(db: Path, table: str) -> None:
    conn = sqlite3.connect(db)
    try:
        page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                            (table,)).fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    with open(db, "r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\xde\xad" * (size // 2))


CORRUPTIONS = {
    "not a database": lambda db: db.write_bytes(os.urandom(64 * 1024)),
    "truncated": lambda db: os.truncate(db, 5000),
    "damaged header": lambda db: _patch(db, 100, b"\xff" * 8),
    "damaged table page": lambda db: _smash_table_root(db, "workers"),
}


def _patch(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(data)


@pytest.mark.parametrize("damage", list(CORRUPTIONS))
def test_corrupted_database_is_a_clear_error(tmp_path: Path, damage: str) -> None:
    db = _make_db(tmp_path)
    CORRUPTIONS[damage](db)
    result = _cli(["status"], tmp_path, _env_for(db))
    _one_line_failure(result, "queue database")
    assert re.search(r"not a database|malformed|damaged|unusable", result.stderr), result.stderr
    assert result.stdout == ""


# --- a full disk under the library ------------------------------------------------------------


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with running_stack(tmp_path, index_delay=0.0) as running:
        yield running


def test_full_library_disk(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The library is a 1 MiB tmpfs (another file system: copy, fsync, size check, rename);
    a 3 MiB video cannot fit."""
    with tmpfs(Path(tempfile.gettempdir()) / f"ep-full-{uuid.uuid4().hex[:8]}", "1m") as lib:
        stack.movie_on_metatube("MIDE-001", actresses=("Shoko Takahashi",))
        source = stack.drop("MIDE-001.mp4", os.urandom(3 * 1024 * 1024))
        original = sha256(source)
        overrides = {"LIBRARY_DIR": str(lib), "EMBY_PATH_MAP": f"{lib}=/mnt/media/jav",
                     "MAX_RETRIES": "1", "RETRY_BACKOFF_SECONDS": "0.2"}
        with InProcess(stack, monkeypatch, **overrides) as run:
            item = wait_for(lambda: (i := run.item("MIDE-001.mp4")) and i.status == "error"
                            and i.next_attempt_at is None and i, 30, run.describe)
            assert "No space left on device" in (item.error_message or ""), item.error_message
            assert str(source) in (item.error_message or "")
            assert item.stage == "organize"
            # the failed move was rolled back and says so (recovery has nothing left to do)
            assert item.organize_intent is None or '"step": "rolled_back"' in item.organize_intent
            assert sha256(source) == original  # the source is intact where it was
            assert list(walk_files(lib)) == [], list(walk_files(lib))  # nothing half-written
            assert temp_names(stack.watch, lib) == []
            assert run.workers_healthy() == []
            # room again: a person presses retry, and the video is filed whole
            _remount(lib, "size=16m")
            run.db.retry(item.id)
            done = wait_for(lambda: (i := run.item("MIDE-001.mp4")) and i.status == "completed"
                            and i, 30, run.describe)
        assert done.library_path and sha256(Path(done.library_path)) == original
        assert not source.exists()
        shutil.rmtree(lib / "Shoko Takahashi", ignore_errors=True)


# --- soak: schemathesis with a large budget against the real process ---------------------------


@pytest.mark.soak
def test_openapi_fuzz_with_a_large_budget_against_the_real_process(tmp_path: Path) -> None:
    """``emby-processor api`` on a seeded queue; 300 positive and 100 negative generated
    requests per operation (the normal run's budget is 30 and 10, in tests/api)."""
    from typing import Any

    import schemathesis
    from schemathesis import GenerationMode

    from tests.api.conftest import WRITE
    from tests.fakes.server import free_port
    from tests.reliability.proc import ServiceProcess, wait_until

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.seed import seed

    seed(tmp_path / "data" / "queue.db", 5000).close()
    (tmp_path / "watch").mkdir()
    port = free_port()
    env = {"WATCH_DIRS": str(tmp_path / "watch"), "DATA_DIR": str(tmp_path / "data"),
           "API_HOST": "127.0.0.1", "API_PORT": str(port), "R18DEV_URL": "http://127.0.0.1:9"}
    service = ServiceProcess(env, tmp_path, command="api").start()
    base = f"http://127.0.0.1:{port}"
    calls = 0
    try:
        import httpx

        def up() -> bool:
            try:
                return httpx.get(base + "/api/stats", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, 30, service.tail, check=service.ensure_alive)
        schema = schemathesis.openapi.from_url(base + "/openapi.json")
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]
            if operation.path == "/api/logs":
                continue  # an endless stream
            modes = [(GenerationMode.POSITIVE, 300)]
            if list(operation.iter_parameters()) or operation.body:
                modes.append((GenerationMode.NEGATIVE, 100))
            for mode, examples in modes:

                @given(case=operation.as_strategy(generation_mode=mode))
                @settings(max_examples=examples, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))
                def check(case: schemathesis.Case[Any]) -> None:
                    nonlocal calls
                    case.call_and_validate(base_url=base, headers=WRITE, excluded_checks=[
                        schemathesis.checks.negative_data_rejection])
                    calls += 1

                check()
        service.ensure_alive()
        output = service.output()
    finally:
        service.close()
    print(f"\nschemathesis soak: {calls} requests")
    assert "Traceback" not in output, output[-3000:]
    assert calls >= 3000
