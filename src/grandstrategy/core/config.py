"""Settings from the environment (``GRANDSTRATEGY_*``) and CLI options.

Nothing is read at import time: call :func:`load_settings` where the program starts.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Annotated, Any

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("grandstrategy", appauthor=False))


class Settings(BaseSettings):
    """Everything the system needs to know about where it runs."""

    model_config = SettingsConfigDict(env_prefix="GRANDSTRATEGY_", extra="ignore")

    db: str = Field(default="", description="SQLAlchemy URL; default: SQLite in data_dir")
    data_dir: Path = Field(default_factory=default_data_dir)
    secret_key: str = Field(default="", description="signs cookies; default: data_dir/secret.key")
    host: str = "127.0.0.1"
    port: int = 8000
    token_hours: int = 12
    session_hours: int = 8
    max_failures_per_user: int = 5
    max_failures_per_address: int = 20
    failure_window_minutes: int = 15
    max_upload_bytes: int = 20 * 1024 * 1024
    max_priorities: int = 10
    embeddings: bool = Field(
        default=True, description="classify with the sentence encoder when it is installed"
    )
    vector_worker: bool = Field(
        default=True,
        description="the server fills semantic vectors (and the labels, stories and alerts that "
        "follow them) in the background, so uploads return without waiting for the encoder; "
        "off: each upload waits for its own",
    )
    search_backend: str = Field(
        default="auto",
        description="keyword search: auto (tantivy on SQLite when installed, else FTS), fts, "
        "tantivy",
        pattern="^(auto|fts|tantivy)$",
    )
    language: str = Field(
        default="en",
        description="the interface language when neither the user nor the browser chooses one",
        pattern="^(en|fr|nl|de)$",
    )
    content_languages: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["fr", "nl"],
        description="languages the strategy's texts should be translated into; lint warns where "
        "a translation is missing or older than its source (comma-separated, e.g. fr,nl,de)",
    )
    # When the app is served over https the session cookie is marked Secure.
    https: bool = False
    audit_key_file: Path | None = Field(
        default=None,
        description="the audit log's MAC keys, outside the database; default: "
        "data_dir/audit.keys (created 0600 on first use)",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="addresses or networks (e.g. 10.0.0.5,10.1.0.0/16) of reverse proxies whose "
        "X-Forwarded-For is believed; default: none (the peer's own address is used)",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, v: Any) -> Any:
        if isinstance(v, str):  # GRANDSTRATEGY_TRUSTED_PROXIES=10.0.0.5,10.0.0.6
            v = [p.strip() for p in v.split(",") if p.strip()]
        if isinstance(v, list):
            for p in v:
                try:
                    ipaddress.ip_network(str(p), strict=False)
                except ValueError as exc:
                    raise ValueError(f"trusted proxy {p!r} is not an address or network") from exc
        return v

    @field_validator("content_languages", mode="before")
    @classmethod
    def _content_languages(cls, v: Any) -> Any:
        if isinstance(v, str):  # GRANDSTRATEGY_CONTENT_LANGUAGES=fr,nl
            v = [p.strip().lower() for p in v.split(",") if p.strip()]
        for lang in v or []:
            if lang not in ("fr", "nl", "de"):
                raise ValueError(
                    f"content language {lang!r}: use fr, nl or de (en is the source language)"
                )
        return v

    @property
    def audit_key_path(self) -> Path:
        return self.audit_key_file or self.data_dir / "audit.keys"

    @property
    def database_url(self) -> str:
        if self.db:
            return self.db
        return f"sqlite:///{self.data_dir / 'grandstrategy.db'}"

    def ensure_secret(self) -> str:
        """The cookie-signing key: from settings, else a random one kept in data_dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        self.secret_key = path.read_text().strip()
        return self.secret_key


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, with explicit overrides (CLI options) on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)
