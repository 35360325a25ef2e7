"""`make lint`'s size check: a long module or function in src/ fails the build, naming it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_sizes.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=60)


def test_the_source_tree_is_within_the_limits() -> None:
    result = run(str(ROOT / "src"))
    assert result.returncode == 0, result.stderr


def test_a_long_function_and_a_long_module_are_named(tmp_path: Path) -> None:
    body = "\n".join(f"    x{n} = {n}" for n in range(61))
    (tmp_path / "long_function.py").write_text(f"def big():\n{body}\n")
    (tmp_path / "long_module.py").write_text("x = 1\n" * 401)
    (tmp_path / "fine.py").write_text("def small():\n    return 1\n")
    result = run(str(tmp_path))
    assert result.returncode == 1
    assert "long_function.py:1: big() is 62 lines (at most 60)" in result.stderr
    assert "long_module.py: 401 lines (at most 400)" in result.stderr
    assert "fine.py" not in result.stderr
