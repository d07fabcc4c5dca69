"""One typed settings object, read from the environment once (by the CLI) and passed explicitly."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from backend.write_limits import WriteLimits

MIN_SECRET_BYTES = 32


class SettingsError(ValueError):
    """A setting is missing or unusable; raised at start-up, never later."""


@dataclass(frozen=True, slots=True)
class Settings(WriteLimits):
    """Every knob of chatty. Field metadata holds the environment variable and its meaning.

    The README's settings table is generated from this class, so there is one place for each rule.
    """

    database_url: str = field(
        default="",
        metadata={
            "env": "DATABASE_URL",
            "doc": "PostgreSQL (`postgres://…`) or SQLite "
            "(`sqlite://…`); default: a SQLite file in the data dir",
        },
    )
    redis_url: str = field(
        default="",
        metadata={
            "env": "REDIS_URL",
            "doc": "Redis for the queue, the Socket.IO manager, "
            "caches and limits; empty: embedded in-process queue and manager",
        },
    )
    jwt_secret: str = field(
        default="",
        metadata={
            "env": "JWT_SECRET",
            "doc": "HMAC secret for tokens, at least 32 bytes; "
            "embedded default: generated and kept in the data dir",
        },
    )
    data_dir: Path = field(
        default=Path("./data"),
        metadata={"env": "CHATTY_DATA_DIR", "doc": "where embedded mode keeps its files"},
    )
    access_ttl: int = field(
        default=900, metadata={"env": "CHATTY_ACCESS_TTL", "doc": "access-token lifetime, seconds"}
    )
    refresh_ttl: int = field(
        default=30 * 24 * 3600,
        metadata={"env": "CHATTY_REFRESH_TTL", "doc": "refresh-token lifetime, seconds"},
    )
    message_rate: float = field(
        default=20.0,
        metadata={"env": "CHATTY_MESSAGE_RATE", "doc": "messages per second a user may send"},
    )
    message_burst: int = field(
        default=40, metadata={"env": "CHATTY_MESSAGE_BURST", "doc": "message burst per user"}
    )
    auth_failures_per_minute: int = field(
        default=5,
        metadata={
            "env": "CHATTY_AUTH_FAILURES_PER_MINUTE",
            "doc": "failed logins or recoveries per username per minute before `rate_limited`",
        },
    )
    address_failures_per_minute: int = field(
        default=30,
        metadata={
            "env": "CHATTY_ADDRESS_FAILURES_PER_MINUTE",
            "doc": "failed logins or recoveries per client address per minute",
        },
    )
    registrations_per_hour: int = field(
        default=30,
        metadata={
            "env": "CHATTY_REGISTRATIONS_PER_HOUR",
            "doc": "registrations per client address per hour",
        },
    )
    presence_ttl: float = field(
        default=15.0,
        metadata={
            "env": "CHATTY_PRESENCE_TTL",
            "doc": "seconds after which the users of a gateway that died are shown offline",
        },
    )
    inbound_stream: str = field(
        default="chat.inbound",
        metadata={"env": "CHATTY_INBOUND_STREAM", "doc": "Redis stream of inbound messages"},
    )
    inbound_max_len: int = field(
        default=100_000,
        metadata={
            "env": "CHATTY_INBOUND_MAX_LEN",
            "doc": "inbound backlog bound; beyond it senders get `unavailable`",
        },
    )
    socket_queue_max: int = field(
        default=1000,
        metadata={
            "env": "CHATTY_SOCKET_QUEUE_MAX",
            "doc": "unsent packets a socket may have waiting before it is disconnected as a "
            "client that stopped reading (it reconnects and `sync`s)",
        },
    )
    socketio_channel: str = field(
        default="chatty.socketio",
        metadata={
            "env": "CHATTY_SOCKETIO_CHANNEL",
            "doc": "Redis pub/sub channel shared by the gateways and workers",
        },
    )
    worker_batch: int = field(
        default=200, metadata={"env": "CHATTY_WORKER_BATCH", "doc": "max messages per batch"}
    )
    claim_idle_ms: int = field(
        default=5_000,
        metadata={
            "env": "CHATTY_CLAIM_IDLE_MS",
            "doc": "a pending entry idle this long is claimed from a dead worker",
        },
    )
    max_deliveries: int = field(
        default=5,
        metadata={
            "env": "CHATTY_MAX_DELIVERIES",
            "doc": "deliveries before an entry that keeps failing is parked in `<stream>.dead`",
        },
    )
    db_pool_size: int = field(
        default=10, metadata={"env": "CHATTY_DB_POOL", "doc": "database connection pool size"}
    )
    cors_origins: str = field(
        default="",
        metadata={
            "env": "CHATTY_CORS_ORIGINS",
            "doc": "comma-separated origins allowed for Socket.IO; empty: same origin only",
        },
    )
    log_level: str = field(
        default="info", metadata={"env": "CHATTY_LOG_LEVEL", "doc": "debug, info, warning, error"}
    )
    log_format: str = field(
        default="auto",
        metadata={
            "env": "CHATTY_LOG_FORMAT",
            "doc": "`json`, `console`, or `auto` (console on a terminal, JSON otherwise)",
        },
    )
    shutdown_timeout: float = field(
        default=10.0,
        metadata={
            "env": "CHATTY_SHUTDOWN_TIMEOUT",
            "doc": "seconds a stopping gateway waits for requests in flight (keep it under "
            "the orchestrator's kill grace period)",
        },
    )
    worker_metrics_port: int = field(
        default=9100,
        metadata={
            "env": "CHATTY_WORKER_METRICS_PORT",
            "doc": "port of `chatty worker`'s own `/metrics` and `/healthz`; 0: off",
        },
    )
    worker_metrics_host: str = field(
        default="127.0.0.1",
        metadata={
            "env": "CHATTY_WORKER_METRICS_HOST",
            "doc": "address of `chatty worker`'s metrics endpoint (`0.0.0.0` in a container)",
        },
    )
    frontend_dir: Path = field(
        default=Path(__file__).resolve().parent.parent / "frontend" / "dist",
        metadata={"env": "CHATTY_FRONTEND_DIR", "doc": "built SPA served at `/`"},
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
        """Read every field from its environment variable; validate; fill the embedded secret."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is None or raw == "":
                continue
            kind: Any = type(f.default)
            try:
                values[f.name] = Path(raw) if isinstance(f.default, Path) else kind(raw)
            except ValueError as exc:
                raise SettingsError(f"{f.metadata['env']}: {exc}") from exc
        values.update(overrides)
        settings = cls(**values)
        return settings._with_secret()

    def _with_secret(self) -> Settings:
        if self.jwt_secret:
            if len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
                raise SettingsError(f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
            return self
        if not self.embedded:
            raise SettingsError("JWT_SECRET is required when REDIS_URL is set (distributed mode)")
        return replace(self, jwt_secret=_embedded_secret(self.data_dir))


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
    for f in sorted(fields(Settings), key=lambda f: f.name in WriteLimits.__dataclass_fields__):
        default = f.default if f.name != "frontend_dir" else "frontend/dist"
        shown = f"`{default}`" if default not in ("", None) else "—"
        rows.append(f"| `{f.metadata['env']}` | {shown} | {f.metadata['doc']} |")
    return "\n".join(rows)
