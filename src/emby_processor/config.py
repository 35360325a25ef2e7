"""Typed settings from the environment (and an optional ``.env``), validated at start-up.

One ``Settings`` object is built by the entry point and passed to every part that needs it;
nothing reads the environment behind its back.
"""

from __future__ import annotations

import ipaddress
import math
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from emby_processor.errors import ConfigError

OrganizeMode = Literal["move", "hardlink", "copy", "none"]
AuthMode = Literal["none", "token", "password"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

#: the provider names are checked against ``providers.registry`` when the providers are built
DEFAULT_PROVIDERS: tuple[str, ...] = ("metatube", "r18dev", "nfo")
#: UPSTREAM_DEADLINE_SECONDS when unset, in multiples of PROVIDER_TIMEOUT_SECONDS
DEADLINE_TIMEOUTS = 4
DEFAULT_EXTENSIONS = ".mp4,.mkv,.avi,.wmv,.mov,.m4v,.ts,.iso,.rmvb,.flv,.webm"
#: upper bounds of number settings by unit (the name's suffix), about 300 years: far beyond them
#: a time no longer fits in a date (``inf`` or ``1e300`` seconds crashed every claim with
#: OverflowError); 1e9 s stays usable as "never"
_UNIT_LIMITS = {"_seconds": 1e10, "_days": 1e5}


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _host_pattern(pattern: str) -> str:
    """An ``ALLOWED_HOSTS`` entry as the host guard compares it: lower case, IPv6 in brackets."""
    pattern = pattern.lower()
    if "*" in pattern[1:] or (pattern.startswith("*") and pattern != "*" and pattern[1] != "."):
        raise ValueError(f"{pattern!r}: a wildcard is '*' alone or leads, as in '*.example.lan'")
    if ":" in pattern:  # host names have no colon: this must be an IPv6 address
        try:
            return f"[{ipaddress.IPv6Address(pattern.strip('[]'))}]"
        except ValueError:
            raise ValueError(
                f"{pattern!r} is neither a host name nor an IPv6 address (leave out the port)"
            ) from None
    return pattern


class Settings(BaseSettings):
    """Every setting of the service; the field name upper-cased is the environment variable."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False,
        env_ignore_empty=True,
    )

    # folders
    watch_dirs: Annotated[list[Path], NoDecode] = Field(default_factory=lambda: [Path("./watch")])
    library_dir: Path | None = None
    organize_mode: OrganizeMode | None = None
    library_template: str = "{actress}/{code}/{code}{part}{ext}"
    write_nfo: bool = True
    write_images: bool = True
    data_dir: Path = Path("./data")

    # media server
    emby_url: str | None = None
    emby_api_key: str | None = None
    emby_user_id: str | None = None
    emby_path_map: str | None = None
    emby_item_wait_seconds: float = Field(default=900, ge=0)
    emby_poll_seconds: float = Field(default=5, gt=0)
    upload_actress_photos: bool = True

    # metadata providers
    metadata_providers: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_PROVIDERS)
    )
    metatube_url: str | None = None
    metatube_token: str | None = None
    r18dev_url: str = "https://r18.dev"
    provider_timeout_seconds: float = Field(default=30, gt=0)
    upstream_deadline_seconds: float | None = Field(default=None, gt=0)
    upstream_connections: int = Field(default=16, ge=1, le=256)

    # retries
    max_retries: int = Field(default=5, ge=0)
    retry_backoff_seconds: float = Field(default=60, ge=0)
    retry_backoff_max_seconds: float = Field(default=21600, ge=0)

    # watcher
    file_settle_seconds: float = Field(default=30, ge=0)
    scan_interval_seconds: float = Field(default=300, gt=0)
    min_file_size_mb: float = Field(default=0, ge=0)
    video_extensions: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: DEFAULT_EXTENSIONS.split(",")
    )

    # workers
    file_workers: int = Field(default=16, ge=1, le=128)
    emby_workers: int = Field(default=16, ge=1, le=128)
    lease_seconds: float = Field(default=300, gt=0)

    # dashboard
    api_host: str = "0.0.0.0"
    api_port: int = Field(default=8000, ge=1, le=65535)
    api_token: str | None = None
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    min_free_disk_mb: float = Field(default=1024, ge=0)
    api_max_connections: int = Field(default=200, ge=10, le=100_000)
    api_max_log_streams: int = Field(default=50, ge=1, le=10_000)
    api_idle_timeout_seconds: float = Field(default=15, gt=0)
    thumbnail_cache_mb: float = Field(default=200, ge=1, le=1_000_000)
    auth_mode: AuthMode = "none"
    auth_password_hash: str | None = None
    session_secret: str | None = None
    public_url: str | None = None

    # notifications
    notify_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    notify_digest_hour: int | None = Field(default=9, ge=0, le=23)
    notify_batch_seconds: float = Field(default=60, ge=0)

    # logging and housekeeping
    log_level: LogLevel = "INFO"
    log_buffer_lines: int = Field(default=1000, ge=100, le=1_000_000)
    cleanup_completed_after_days: float = Field(default=30, ge=0)

    @field_validator(
        "watch_dirs", "metadata_providers", "video_extensions", "allowed_hosts", "cors_origins",
        "notify_urls", mode="before",
    )
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("allowed_hosts")
    @classmethod
    def _host_patterns(cls, value: list[str]) -> list[str]:
        return [_host_pattern(pattern) for pattern in value]

    @field_validator("*")
    @classmethod
    def _finite(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError("must be a finite number")
            name = info.field_name or ""
            limit = next((v for k, v in _UNIT_LIMITS.items() if name.endswith(k)), None)
            if limit is not None and value > limit:
                raise ValueError(f"must be at most {limit:g}")
        return value

    @field_validator("metadata_providers")
    @classmethod
    def _provider_names(cls, value: list[str]) -> list[str]:
        return [name.strip().lower() for name in value if name.strip()]

    @field_validator("video_extensions")
    @classmethod
    def _dotted_lower(cls, value: list[str]) -> list[str]:
        return [ext.lower() if ext.startswith(".") else "." + ext.lower() for ext in value]

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("watch_dirs")
    @classmethod
    def _dirs_not_files(cls, value: list[Path]) -> list[Path]:
        if not value:
            raise ValueError("at least one folder is needed")
        for path in value:
            cls._not_a_file(path)
        return value

    @field_validator("library_dir", "data_dir")
    @classmethod
    def _not_a_file(cls, value: Path | None) -> Path | None:
        if value is not None and value.exists() and not value.is_dir():
            raise ValueError(f"{value} is a file, not a folder")
        return value

    @field_validator("notify_digest_hour", mode="before")
    @classmethod
    def _digest_off(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in ("off", "none", "no", "-1"):
            return None
        return value

    @field_validator("auth_mode", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("emby_url", "metatube_url", "r18dev_url", "public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http:// or https:// URL")
        return value

    @field_validator("emby_path_map")
    @classmethod
    def _path_map(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        from emby_processor.mediaserver.pathmap import PathMap

        PathMap.parse(value)  # raises ValueError with the reason
        return value

    @field_validator("library_template")
    @classmethod
    def _template(cls, value: str) -> str:
        from emby_processor.organizer.template import validate_template

        validate_template(value)
        return value

    @model_validator(mode="after")
    def _organize_default(self) -> Settings:
        if self.organize_mode is None:
            self.organize_mode = "move" if self.library_dir is not None else "none"
        elif self.organize_mode != "none" and self.library_dir is None:
            raise ValueError(
                f"ORGANIZE_MODE={self.organize_mode} needs LIBRARY_DIR to be set"
            )
        self._check_auth()
        if self.retry_backoff_max_seconds < self.retry_backoff_seconds:
            raise ValueError(
                "RETRY_BACKOFF_MAX_SECONDS must not be smaller than RETRY_BACKOFF_SECONDS"
            )
        return self

    def _check_auth(self) -> None:
        if self.auth_mode == "token" and not self.api_token:
            raise ValueError("AUTH_MODE=token needs API_TOKEN: the token every request must carry")
        if self.auth_mode == "password":
            if not self.auth_password_hash:
                raise ValueError(
                    "AUTH_MODE=password needs AUTH_PASSWORD_HASH; make one with "
                    "`emby-processor hash-password`"
                )
            if not self.auth_password_hash.startswith("$argon2"):
                raise ValueError(
                    "AUTH_PASSWORD_HASH is not an argon2 hash (it starts with $argon2); make "
                    "one with `emby-processor hash-password`"
                )
        if self.session_secret is not None and len(self.session_secret) < 32:
            raise ValueError("SESSION_SECRET must be at least 32 characters long")

    # derived values, kept here so every part agrees on them
    @property
    def effective_organize_mode(self) -> OrganizeMode:
        return self.organize_mode or "none"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "queue.db"

    @property
    def min_file_size_bytes(self) -> int:
        return int(self.min_file_size_mb * 1024 * 1024)

    @property
    def emby_configured(self) -> bool:
        return bool(self.emby_url and self.emby_api_key)

    @property
    def upstream_deadline(self) -> float:
        """Seconds one request to an upstream may take in all, its answer read in full."""
        if self.upstream_deadline_seconds is not None:
            return self.upstream_deadline_seconds
        return DEADLINE_TIMEOUTS * self.provider_timeout_seconds


def describe_validation_error(error: ValidationError) -> str:
    """One readable line per bad setting, naming the environment variable."""
    lines = []
    for item in error.errors():
        loc = [str(part) for part in item.get("loc", ()) if not str(part).isdigit()]
        name = loc[0].upper() if loc else "settings"
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        value = item.get("input")
        shown = f" (got {_clip(repr(value))})" if isinstance(value, str | int | float) and loc \
            else ""
        lines.append(f"{name}: {message}{shown}" if loc else message)
    return "; ".join(lines)


def _clip(text: str, limit: int = 120) -> str:
    """A pasted blob in a variable must not turn the one-line error into a page."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment; raise ConfigError with a readable message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigError("invalid configuration: " + describe_validation_error(error)) from None
    except UnicodeDecodeError as error:
        # the only text read besides the environment is the .env file
        raise ConfigError(
            f"invalid configuration: .env is not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
