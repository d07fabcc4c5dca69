"""One typed settings object, read from the environment once (by the CLI) and passed explicitly."""

from __future__ import annotations

import functools
import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from marshmallow.exceptions import MarshmallowError

from backend.settings.config_env import dotenv, field_for
from backend.settings.config_limits import LimitSettings, setting

MIN_SECRET_BYTES = 32
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
DATA_DIR = Path("./data")
FRONTEND_DIR = Path(__file__).resolve().parents[2] / "frontend" / "dist"
REGISTRATION_MODES = ("open", "invite", "closed")


class SettingsError(ValueError):
    """A setting is missing or unusable; raised at start-up, never later."""


@dataclass(frozen=True, slots=True)
class Settings(LimitSettings):
    """Every knob of chatty. Field metadata holds the environment variable and its meaning.

    The README's settings table is generated from this class, so there is one place for each rule.
    """

    database_url: str = setting(
        "",
        "DATABASE_URL",
        "PostgreSQL (`postgres://…`) or SQLite (`sqlite://…`); default: a SQLite file in the "
        "data dir",
    )
    redis_url: str = setting(
        "",
        "REDIS_URL",
        "Redis for the queue, the Socket.IO manager, caches and limits; empty: embedded "
        "in-process queue and manager",
    )
    jwt_secret: str = setting(
        "",
        "JWT_SECRET",
        "HMAC secret for tokens, at least 32 bytes; embedded default: generated and kept in "
        "the data dir",
    )
    data_dir: Path = setting(DATA_DIR, "CHATTY_DATA_DIR", "where embedded mode keeps its files")
    access_ttl: int = setting(900, "CHATTY_ACCESS_TTL", "access-token lifetime, seconds")
    refresh_ttl: int = setting(
        30 * 24 * 3600, "CHATTY_REFRESH_TTL", "refresh-token lifetime, seconds"
    )
    registration: str = setting(
        "open",
        "CHATTY_REGISTRATION",
        "who may register until an admin chooses (`PATCH /api/v1/admin/workspace`): `open`, "
        "`invite` (with an admin's invite code) or `closed`",
    )
    presence_ttl: float = setting(
        15.0,
        "CHATTY_PRESENCE_TTL",
        "seconds after which the users of a gateway that died are shown offline",
    )
    inbound_stream: str = setting(
        "chat.inbound", "CHATTY_INBOUND_STREAM", "Redis stream of inbound messages"
    )
    socketio_channel: str = setting(
        "chatty.socketio",
        "CHATTY_SOCKETIO_CHANNEL",
        "Redis pub/sub channel shared by the gateways and workers",
    )
    worker_batch: int = setting(200, "CHATTY_WORKER_BATCH", "max messages per batch")
    worker_linger_ms: int = setting(
        10,
        "CHATTY_WORKER_LINGER_MS",
        "after a batch that was not full, wait this long before reading the next "
        "(fewer, larger batches at low rates; 0: read at once)",
    )
    claim_idle_ms: int = setting(
        5_000,
        "CHATTY_CLAIM_IDLE_MS",
        "a pending entry idle this long is claimed from a dead worker",
    )
    max_deliveries: int = setting(
        5,
        "CHATTY_MAX_DELIVERIES",
        "deliveries before an entry that keeps failing is parked in `<stream>.dead`",
    )
    db_pool_size: int = setting(10, "CHATTY_DB_POOL", "database connection pool size")
    cors_origins: str = setting(
        "",
        "CHATTY_CORS_ORIGINS",
        "comma-separated origins allowed for Socket.IO; empty: same origin only",
    )
    log_level: str = setting("info", "CHATTY_LOG_LEVEL", "debug, info, warning, error")
    log_format: str = setting(
        "auto",
        "CHATTY_LOG_FORMAT",
        "`json`, `console`, or `auto` (console on a terminal, JSON otherwise)",
    )
    shutdown_timeout: float = setting(
        10.0,
        "CHATTY_SHUTDOWN_TIMEOUT",
        "seconds a stopping gateway waits for requests in flight (keep it under the "
        "orchestrator's kill grace period)",
    )
    worker_metrics_port: int = setting(
        9100,
        "CHATTY_WORKER_METRICS_PORT",
        "port of `chatty worker`'s own `/metrics` and `/healthz`; 0: off",
    )
    worker_metrics_host: str = setting(
        "127.0.0.1",
        "CHATTY_WORKER_METRICS_HOST",
        "address of `chatty worker`'s metrics endpoint (`0.0.0.0` in a container)",
    )
    trusted_proxies: str = setting(
        "",
        "CHATTY_TRUSTED_PROXIES",
        "comma-separated addresses or CIDRs of reverse proxies whose `X-Forwarded-For` is "
        "believed (the client is its rightmost address not in the list); empty: the header "
        "is ignored",
    )
    metrics_token: str = setting(
        "",
        "CHATTY_METRICS_TOKEN",
        "bearer token a gateway's `/metrics` requires (`Authorization: Bearer <token>`); "
        "empty: the gateway serves no `/metrics`",
    )
    storage_url: str = setting(
        "",
        "CHATTY_STORAGE_URL",
        "where uploaded files live: `file:///path` (one host or a shared volume) or "
        "`s3://bucket/prefix`; default: `file://<data dir>/files`",
    )
    s3_endpoint: str = setting(
        "",
        "CHATTY_S3_ENDPOINT",
        "endpoint of an S3-compatible store (`s3://` storage); empty: AWS. Credentials from "
        "the standard `AWS_*` variables",
    )
    frontend_dir: Path = setting(
        FRONTEND_DIR,
        "CHATTY_FRONTEND_DIR",
        "built SPA served at `/`",
    )

    @property
    def embedded(self) -> bool:
        """Embedded mode: no Redis, so the queue and the Socket.IO manager live in-process."""
        return not self.redis_url

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite://{(self.data_dir / 'chatty.sqlite3').resolve()}"

    @property
    def dialect(self) -> str:
        return "postgres" if self.db_url.startswith(("postgres://", "postgresql://")) else "sqlite"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read every field from its environment variable; validate; fill the embedded secret.

        Without an explicit mapping, the process environment is read over a `.env` file in
        the working directory (`CHATTY_ENV_FILE` names another): the environment wins, as
        docker compose does it.
        """
        if env is None:
            env = {**dotenv(os.environ.get("CHATTY_ENV_FILE", ".env")), **os.environ}
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is None or raw == "":
                continue
            try:
                values[f.name] = field_for(f.default).deserialize(raw)
            except MarshmallowError as exc:
                raise SettingsError(f"{f.metadata['env']}: {exc}") from exc
        values.update(overrides)
        settings = cls(**values)
        if settings.registration not in REGISTRATION_MODES:
            raise SettingsError(f"CHATTY_REGISTRATION: one of {', '.join(REGISTRATION_MODES)}")
        try:
            trusted_networks(settings.trusted_proxies)
        except ValueError as exc:
            raise SettingsError(f"CHATTY_TRUSTED_PROXIES: {exc}") from exc
        return settings._with_secret()

    def _with_secret(self) -> Settings:
        if self.jwt_secret:
            if len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
                raise SettingsError(f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
            return self
        if not self.embedded:
            raise SettingsError("JWT_SECRET is required when REDIS_URL is set (distributed mode)")
        return replace(self, jwt_secret=_embedded_secret(self.data_dir))


@functools.lru_cache(maxsize=8)
def trusted_networks(raw: str) -> tuple[IPNetwork, ...]:
    """`CHATTY_TRUSTED_PROXIES` parsed: addresses are networks of one address."""
    return tuple(
        ipaddress.ip_network(item.strip(), strict=False) for item in raw.split(",") if item.strip()
    )


def _embedded_secret(data_dir: Path) -> str:
    """Generate the embedded secret once and keep it, so tokens survive a restart."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "jwt_secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def settings_table() -> str:
    """The README's table of settings, from the one place they are defined."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for f in fields(Settings):
        default = f.default if f.name != "frontend_dir" else "frontend/dist"
        shown = f"`{default}`" if default not in ("", None) else "—"
        rows.append(f"| `{f.metadata['env']}` | {shown} | {f.metadata['doc']} |")
    return "\n".join(rows)
