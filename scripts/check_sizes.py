"""Fail when a module of src/ is over 400 lines or a function over 60 (run by `make lint`).

Long modules and functions are where the next change gets hard: split them by what they do.

    python scripts/check_sizes.py [--max-module N] [--max-function N] [ROOT ...]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def problems(path: Path, max_module: int, max_function: int) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = []
    lines = len(text.splitlines())
    if lines > max_module:
        found.append(f"{path}: {lines} lines (at most {max_module})")
    for node in functions(ast.parse(text, filename=str(path))):
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        if length > max_function:
            found.append(f"{path}:{node.lineno}: {node.name}() is {length} lines "
                         f"(at most {max_function})")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="*", type=Path, default=[Path("src")])
    parser.add_argument("--max-module", type=int, default=MAX_MODULE_LINES)
    parser.add_argument("--max-function", type=int, default=MAX_FUNCTION_LINES)
    args = parser.parse_args(argv)
    found = [
        problem
        for root in args.roots
        for path in sorted(root.rglob("*.py"))
        for problem in problems(path, args.max_module, args.max_function)
    ]
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
