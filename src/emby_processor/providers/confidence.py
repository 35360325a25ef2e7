"""Which answer, if any, may be written (docs/providers.md, 4.4).

An answer is *confident* when its provider found it by the code (``exact``), at a content id of
a channel known for the label (``known_prefix``), or a person chose it; a guess (``guessed``,
``fuzzy``) is confident only when another provider's answer describes the same movie
(``sameness.compare``). Then:

- no confident answer: nothing is written;
- two confident answers describing different movies: nothing is written either;
- otherwise the first complete confident answer (else the first confident one) is written, its
  gaps filled from the answers that are the same movie, or that are sure and cannot be told apart
  (too little to compare). A guess that is another movie is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from emby_processor.metadata import CONFIDENT_MATCHES, MatchKind, MovieMetadata
from emby_processor.providers.sameness import Verdict, compare

Answer = tuple[str, MovieMetadata]

#: how each kind of answer was found, for people
FOUND_BY: dict[MatchKind, str] = {
    "exact": "found by its code",
    "known_prefix": "found at a content id of the label's DMM channel",
    "guessed": "found only at a guessed content id",
    "fuzzy": "a record that does not carry the code, only a similar content id",
    "chosen": "chosen by a person",
}


@dataclass
class Decision:
    #: the index of the answer to write; None when nothing may be written
    base: int | None
    #: the answers merged into it, the base first
    merged: list[int] = field(default_factory=list)
    #: the answers left out, and why nothing is written when ``base`` is None
    reason: str = ""


def decide(answers: Sequence[Answer]) -> Decision:
    """Fill in each answer's ``agreed_by`` and decide what to write."""
    verdicts = _verdicts(answers)
    for i, (name, movie) in enumerate(answers):
        movie.agreed_by = [other for j, (other, _) in enumerate(answers)
                           if j != i and other != name and verdicts[i][j] == "same"]
    confident = [i for i, (_, movie) in enumerate(answers) if movie.confident]
    if not confident:
        return Decision(None, reason="; ".join(_describe(a) for a in answers))
    for i in confident:
        for j in confident:
            if i < j and verdicts[i][j] == "different":
                return Decision(None, reason=(
                    f"{_describe(answers[i])} and {_describe(answers[j])}: different movies"))
    base = next((i for i in confident if answers[i][1].is_complete()), confident[0])
    merged = [base] + [
        j for j, (_, movie) in enumerate(answers) if j != base and (
            verdicts[base][j] == "same"
            or (verdicts[base][j] == "unknown" and movie.match in CONFIDENT_MATCHES))
    ]
    left_out = [_describe(answers[j]) for j in range(len(answers)) if j not in merged]
    return Decision(base, merged, reason="; ".join(left_out))


def _verdicts(answers: Sequence[Answer]) -> list[list[Verdict]]:
    n = len(answers)
    table: list[list[Verdict]] = [["same"] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            table[i][j] = table[j][i] = compare(answers[i][1], answers[j][1])
    return table


def _describe(answer: Answer) -> str:
    name, movie = answer
    what = f"{movie.title!r}" if movie.title else "a record without a title"
    if movie.content_id:
        what += f" ({movie.content_id})"
    return f"{name} {FOUND_BY[movie.match]}: {what}"
