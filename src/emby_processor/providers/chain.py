"""The ordered provider chain (``METADATA_PROVIDERS``): ask in order, stop at the first sure and
complete answer, decide whether an answer may be written at all (``confidence``), fill its gaps
from the answers about the same movie, and record who supplied what.

A record for a different code is never applied, whatever it contains: it counts as that
provider failing (``MetadataMismatchError``). Nothing uncertain is written: the chain raises
``AmbiguousMatchError`` with the candidates (or, while a provider that failed for now may still
settle it, a transient error that carries them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from emby_processor.errors import (
    AmbiguousMatchError,
    EmbyProcessorError,
    MetadataMismatchError,
    MetadataNotFoundError,
    PermanentError,
    ProcessingError,
    UpstreamAuthError,
    UpstreamError,
)
from emby_processor.metadata import CONFIDENT_MATCHES, MovieMetadata
from emby_processor.providers.base import MetadataProvider
from emby_processor.providers.codes import codes_match
from emby_processor.providers.confidence import decide

log = logging.getLogger(__name__)

# fields that travel together or describe the record itself, not the movie
_NOT_MERGED = {
    "code",
    "language",
    "year",
    "source",
    "source_id",
    "external_ids",
    "fetched_at",
    "provenance",
    "truncated",
    "match",
    "agreed_by",
}
MERGED_FIELDS = [f for f in MovieMetadata.model_fields if f not in _NOT_MERGED]


class ProviderChain:
    def __init__(
        self,
        providers: Sequence[MetadataProvider],
        *,
        on_failure: Callable[[str, EmbyProcessorError], None] | None = None,
        learn: Callable[[str, str | None], None] | None = None,
    ) -> None:
        self.providers = list(providers)
        #: told about every provider that failed (for the upstream-error figures)
        self.on_failure = on_failure
        #: told the code and content id of every answer written (the DMM channels it teaches)
        self.learn = learn

    def fetch(self, code: str, *, path: Path | None = None, refresh: bool = False) -> MovieMetadata:
        answers: list[tuple[str, MovieMetadata]] = []
        failures: dict[str, EmbyProcessorError] = {}
        for provider in self.providers:
            metadata = self._ask(provider, code, path, refresh, failures)
            if metadata is None:
                continue
            answers.append((provider.name, metadata))
            if metadata.match in CONFIDENT_MATCHES and metadata.is_complete():
                break  # sure and complete: nobody else needs asking
        if self.on_failure is not None:
            for name, error in failures.items():
                self.on_failure(name, error)
        if not answers:
            raise _no_answer(code, [p.name for p in self.providers], failures)
        for name, error in failures.items():
            log.warning("metadata for %s: %s failed but others answered: %s", code, name, error)
        decision = decide(answers)
        if decision.base is None:
            raise _uncertain(code, decision.reason, answers, failures)
        if decision.reason:
            log.warning("metadata for %s: left out as another movie or a guess: %s", code,
                        decision.reason)
        merged = merge(code, [answers[i] for i in decision.merged]).bound()
        if self.learn is not None:
            self.learn(code, merged.content_id)
        return merged

    @staticmethod
    def _ask(
        provider: MetadataProvider,
        code: str,
        path: Path | None,
        refresh: bool,
        failures: dict[str, EmbyProcessorError],
    ) -> MovieMetadata | None:
        try:
            metadata = provider.fetch(code, path=path, refresh=refresh)
        except EmbyProcessorError as exc:
            log.info("metadata for %s: %s failed: %s", code, provider.name, exc)
            failures[provider.name] = exc
            return None
        except Exception as exc:
            # a provider bug must cost one provider, not the item (nor the worker thread)
            log.exception("metadata for %s: %s crashed", code, provider.name)
            failures[provider.name] = UpstreamError(provider.name, f"unexpected error: {exc!r}")
            return None
        if metadata is None:
            log.info("metadata for %s: %s does not know it", code, provider.name)
            return None
        if not codes_match(metadata.code, code):
            log.warning(
                "metadata for %s: %s answered with a record for %r: rejected",
                code,
                provider.name,
                metadata.code,
            )
            failures[provider.name] = MetadataMismatchError(
                provider.name, f"answered with a record for {metadata.code!r}, not {code!r}"
            )
            return None
        return metadata


def merge(code: str, answers: list[tuple[str, MovieMetadata]]) -> MovieMetadata:
    """The first answer, its gaps filled from the others in chain order (the caller puts the
    answer to write first and leaves out any that is another movie)."""
    ordered = list(answers)
    base_name, base = ordered[0]
    merged = base.model_copy(deep=True)
    provenance: dict[str, str] = {}
    for field in MERGED_FIELDS:
        for name, answer in ordered:
            value = getattr(answer, field)
            if _filled(value):
                if name != base_name:
                    setattr(merged, field, _copy(value))
                provenance[field] = name
                break
    external: dict[str, str] = {}
    for name, answer in reversed(ordered):  # earlier providers overwrite later ones
        external.update(answer.external_ids)
        for key in answer.external_ids:
            provenance[f"external_ids.{key}"] = name
    merged.external_ids = external
    # ``language`` describes the title, so it follows whoever supplied the title
    title_from = dict(ordered).get(provenance.get("title", base_name), base)
    merged.language = title_from.language
    merged.code = code  # the asked code is canonical; providers print it in their own style
    if merged.release_date:
        merged.year = merged.release_date.year
    elif merged.year is None:
        merged.year = next((a.year for _, a in ordered if a.year), None)
    merged.fetched_at = datetime.now(UTC)
    merged.provenance = provenance
    merged.truncated = list(dict.fromkeys(note for _, a in ordered for note in a.truncated))
    return merged


def _filled(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [v.model_copy(deep=True) if hasattr(v, "model_copy") else v for v in value]
    return value


def _uncertain(
    code: str, reason: str, answers: list[tuple[str, MovieMetadata]],
    failures: dict[str, EmbyProcessorError],
) -> ProcessingError:
    """Nothing sure enough to write: a person chooses among the answers, unless a provider that
    failed for now may still settle it (then the item is retried, its candidates kept)."""
    candidates = [movie for _, movie in answers]
    transient = [e for e in failures.values() if not isinstance(e, PermanentError)]
    if transient:
        waits = [e.retry_after for e in transient if isinstance(e, UpstreamError) and e.retry_after]
        error: ProcessingError = UpstreamError(
            "metadata", f"no sure match for {code} yet ({reason}); "
            f"{', '.join(failures)} did not answer", retry_after=max(waits) if waits else None)
    else:
        error = AmbiguousMatchError(
            f"{code}: not sure which movie this is, so nothing was written ({reason})", candidates)
    error.candidates = tuple(candidates)
    return error


def _no_answer(
    code: str, asked: list[str], failures: dict[str, EmbyProcessorError]
) -> EmbyProcessorError:
    if not asked:
        return MetadataNotFoundError("no metadata providers are configured")
    summary = "; ".join(
        _outcome(name, failures[name]) if name in failures else f"{name}: not found"
        for name in asked
    )
    transient = [e for e in failures.values() if not isinstance(e, PermanentError)]
    if transient:
        waits = [e.retry_after for e in transient if isinstance(e, UpstreamError) and e.retry_after]
        return UpstreamError(
            "metadata",
            f"no provider answered for {code} ({summary})",
            retry_after=max(waits) if waits else None,
        )
    if failures:
        # only permanent failures (a rejected token) and "not found": a person must act
        return UpstreamAuthError("metadata", f"no provider answered for {code} ({summary})")
    return MetadataNotFoundError(f"{code} not found by {', '.join(asked)}")


def _outcome(name: str, error: EmbyProcessorError) -> str:
    text = str(error)
    # the provider's own errors already start with its name
    return text if text.startswith(f"{name}:") else f"{name}: {text}"
