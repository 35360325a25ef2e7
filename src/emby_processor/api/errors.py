"""One error shape for every failure: ``{"detail": "…"}`` (plus ``errors`` for a 422).

The dashboard shows ``detail`` as it is, so it is always a sentence, never a list or a stack
trace. Store and upstream trouble is a 503 (try again later), never a 500.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from emby_processor.db import ItemConflict, ItemNotFound, UnknownCandidate
from emby_processor.errors import StoreError, UpstreamError

logger = logging.getLogger("emby_processor.api")


def error_json(status: int, detail: str, headers: dict[str, str] | None = None,
               **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in loc]
    return ".".join(parts) if parts else "request"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return error_json(exc.status_code, detail, dict(exc.headers or {}))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field_name(err.get("loc", ())), "message": str(err.get("msg", "invalid")),
         "type": str(err.get("type", "value_error"))}
        for err in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
    return error_json(422, detail, errors=errors)


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return error_json(404, str(exc))


async def _conflict(request: Request, exc: Exception) -> JSONResponse:
    return error_json(409, str(exc))


async def _unprocessable(request: Request, exc: Exception) -> JSONResponse:
    return error_json(422, str(exc))


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("%s %s: %s", request.method, request.url.path, exc)
    return error_json(503, str(exc), {"Retry-After": "5"})


async def _database(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("%s %s: database error: %s", request.method, request.url.path, exc)
    return error_json(503, f"database error: {exc}", {"Retry-After": "5"})


async def _bad_text(request: Request, exc: Exception) -> JSONResponse:
    # lone surrogates and the like cannot be stored in SQLite's UTF-8
    return error_json(400, "the request contains text that is not valid Unicode")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_json(500, "internal server error; the log has the details")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ItemNotFound, _not_found)
    app.add_exception_handler(ItemConflict, _conflict)
    app.add_exception_handler(UnknownCandidate, _unprocessable)
    app.add_exception_handler(StoreError, _unavailable)
    app.add_exception_handler(UpstreamError, _unavailable)
    app.add_exception_handler(sqlite3.Error, _database)
    app.add_exception_handler(UnicodeError, _bad_text)
    app.add_exception_handler(Exception, _unexpected)
