"""The limits half of Settings: every rate limit and bound, each a setting with its default.

Kept apart from connections and operations so that each half reads at once; `Settings`
(config.py) inherits these fields, and the README's table lists both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def setting(default: Any, env: str, doc: str) -> Any:
    """A field of Settings: its default, its environment variable, and what it means."""
    return field(default=default, metadata={"env": env, "doc": doc})


@dataclass(frozen=True, slots=True)
class LimitSettings:
    message_rate: float = setting(
        20.0, "CHATTY_MESSAGE_RATE", "messages per second a user may send"
    )
    message_burst: int = setting(40, "CHATTY_MESSAGE_BURST", "message burst per user")
    auth_failures_per_minute: int = setting(
        5,
        "CHATTY_AUTH_FAILURES_PER_MINUTE",
        "failed logins or recoveries per username and client address per minute before "
        "`rate_limited` (also wrong passwords on the account-settings routes)",
    )
    username_failures_per_hour: int = setting(
        100,
        "CHATTY_USERNAME_FAILURES_PER_HOUR",
        "failed logins or recoveries per username per hour from all the addresses together; "
        "addresses the user signed in from before are exempt (no lock-out)",
    )
    address_failures_per_minute: int = setting(
        30,
        "CHATTY_ADDRESS_FAILURES_PER_MINUTE",
        "failed logins or recoveries per client address per minute",
    )
    registrations_per_hour: int = setting(
        30, "CHATTY_REGISTRATIONS_PER_HOUR", "registrations per client address per hour"
    )
    delivery_budget_ms: int = setting(
        500,
        "CHATTY_DELIVERY_BUDGET_MS",
        "sends are refused with `unavailable` + `retry_after` once the delivery lag reaches "
        "half of this (0: never)",
    )
    inbound_max_len: int = setting(
        100_000,
        "CHATTY_INBOUND_MAX_LEN",
        "inbound backlog bound; beyond it senders get `unavailable`",
    )
    socket_queue_max: int = setting(
        1000,
        "CHATTY_SOCKET_QUEUE_MAX",
        "unsent packets a socket may have waiting before it is disconnected as a client that "
        "stopped reading (it reconnects and `sync`s)",
    )
    read_rate: float = setting(
        10.0,
        "CHATTY_READ_RATE",
        "history pages and `sync` calls per second a user may make (REST and socket)",
    )
    read_burst: int = setting(10, "CHATTY_READ_BURST", "history/`sync` burst per user")
    sync_max_rooms: int = setting(
        50,
        "CHATTY_SYNC_MAX_ROOMS",
        "rooms one `sync` answers; the rest answer `has_more` with no messages",
    )
    reply_max_bytes: int = setting(
        512 * 1024,
        "CHATTY_REPLY_MAX_BYTES",
        "approximate size of one `sync` reply; rooms past it answer `has_more`",
    )
    socket_queue_max_bytes: int = setting(
        4 * 1024 * 1024,
        "CHATTY_SOCKET_QUEUE_MAX_BYTES",
        "unsent bytes a socket may have waiting before it is disconnected as a client that "
        "stopped reading",
    )
    live_events_per_second: float = setting(
        2.0,
        "CHATTY_LIVE_EVENTS_PER_SECOND",
        "`typing` and `read` events per second a user may send (burst: 5×)",
    )
    room_changes_per_minute: int = setting(
        30,
        "CHATTY_ROOM_CHANGES_PER_MINUTE",
        "rooms created, joined, left and members added per user per minute",
    )
    sockets_per_user: int = setting(
        20, "CHATTY_SOCKETS_PER_USER", "connected sockets one user may hold across every gateway"
    )
    handshakes_per_minute: int = setting(
        300,
        "CHATTY_HANDSHAKES_PER_MINUTE",
        "Socket.IO connection attempts per client address per minute",
    )
    socket_events_in_flight: int = setting(
        16,
        "CHATTY_SOCKET_EVENTS_IN_FLIGHT",
        "events of one socket handled at once; its next frames wait unread (a flood from one "
        "socket cannot take the pools everyone shares)",
    )
    sessions_per_address: int = setting(
        500,
        "CHATTY_SESSIONS_PER_ADDRESS",
        "open Engine.IO sessions (authenticated or not) one client address may hold on one "
        "gateway; past it a new one is refused with HTTP 401",
    )
    socket_connect_timeout: float = setting(
        10.0,
        "CHATTY_SOCKET_CONNECT_TIMEOUT",
        "seconds an Engine.IO session may stay open without a successful Socket.IO connect "
        "before it is closed (Node's socket.io: 45)",
    )
    socket_ping_interval: int = setting(
        20,
        "CHATTY_SOCKET_PING_INTERVAL",
        "whole seconds between the server's pings (engine.io advertises whole seconds); "
        "lower it behind proxies that cut idle connections sooner",
    )
    socket_ping_timeout: int = setting(
        20,
        "CHATTY_SOCKET_PING_TIMEOUT",
        "seconds a client has to answer a ping before its session is closed (mobile "
        "networks may need more)",
    )
    moderation_per_minute: int = setting(
        60,
        "CHATTY_MODERATION_PER_MINUTE",
        "room settings, role, kick, ban, unban and room deletions a user may make per minute",
    )
    profile_updates_per_minute: int = setting(
        10,
        "CHATTY_PROFILE_UPDATES_PER_MINUTE",
        "profile changes (display name) a user may make per minute",
    )
    blocks_per_minute: int = setting(
        30, "CHATTY_BLOCKS_PER_MINUTE", "blocks and unblocks a user may make per minute"
    )
    max_upload_bytes: int = setting(
        25 * 1024 * 1024,
        "CHATTY_MAX_UPLOAD_BYTES",
        "largest file one upload may carry (checked while streaming; larger: 413)",
    )
    upload_quota_bytes: int = setting(
        1024 * 1024 * 1024,
        "CHATTY_UPLOAD_QUOTA_BYTES",
        "bytes of files one user may keep stored (0: no quota); beyond it 413 `quota_exceeded`",
    )
    uploads_per_minute: int = setting(
        30,
        "CHATTY_UPLOADS_PER_MINUTE",
        "file uploads (attachments and avatars) per user per minute",
    )
    max_image_pixels: int = setting(
        24_000_000,
        "CHATTY_MAX_IMAGE_PIXELS",
        "largest image (width × height) decoded, checked from its header; larger ones are "
        "refused (422). Decoded, a pixel costs up to 4 bytes, a rotated one 8 for a moment: "
        "24 M pixels is ≤ 96-192 MB per image at work (a 24 MP camera, 6000×4000)",
    )
    image_workers: int = setting(
        1,
        "CHATTY_IMAGE_WORKERS",
        "images decoded at once per gateway (their own threads, apart from password hashing); "
        "the gateway's image memory is at most this × the pixel limit's cost (bench.images: "
        "+281 MB for 16 worst-case uploads with 1, +490 MB with 2); others wait",
    )
    upload_idle_timeout: float = setting(
        30.0,
        "CHATTY_UPLOAD_IDLE_TIMEOUT",
        "seconds an upload may send nothing before it is cut off (408); also its grace "
        "before the minimum rate applies",
    )
    upload_min_rate: int = setting(
        16 * 1024,
        "CHATTY_UPLOAD_MIN_RATE",
        "bytes per second an upload must average after its grace; slower ones are cut off "
        "(408): a 25 MiB upload may take at most ~27 min",
    )
    max_open_uploads: int = setting(
        4,
        "CHATTY_MAX_OPEN_UPLOADS",
        "uploads one user may have in progress at once, on all gateways together (429)",
    )
    file_url_ttl: int = setting(
        24 * 3600,
        "CHATTY_FILE_URL_TTL",
        "seconds a signed attachment URL works; a member's Bearer token works after that",
    )
    unsent_upload_ttl: int = setting(
        24 * 3600,
        "CHATTY_UNSENT_UPLOAD_TTL",
        "seconds an upload may stay unattached to a message before it is removed",
    )
    file_sweep_interval: float = setting(
        300.0,
        "CHATTY_FILE_SWEEP_INTERVAL",
        "seconds between sweeps that remove unsent uploads and the files of deleted messages "
        "and rooms",
    )
    search_max_terms: int = setting(
        8,
        "CHATTY_SEARCH_MAX_TERMS",
        "distinct words, phrases, prefixes and exclusions one search may hold; more: "
        "`validation_error` (a long query of prefixes took a second over 200k messages)",
    )
    search_max_prefixes: int = setting(
        3,
        "CHATTY_SEARCH_MAX_PREFIXES",
        "distinct `term*` prefixes one search may hold (each expands to every word it begins)",
    )
    search_prefix_min_chars: int = setting(
        2,
        "CHATTY_SEARCH_PREFIX_MIN_CHARS",
        "characters a `term*` prefix needs (`a*` would expand to a large part of the index)",
    )
    search_timeout_ms: int = setting(
        2000,
        "CHATTY_SEARCH_TIMEOUT_MS",
        "statement timeout of one search on PostgreSQL; past it the search answers "
        "`validation_error` (0: none; SQLite has none)",
    )
    room_list_per_minute: int = setting(
        60,
        "CHATTY_ROOM_LIST_PER_MINUTE",
        "`GET /api/v1/rooms` (the caller's rooms with unread and mention counts) per user "
        "per minute",
    )
    emit_order_ttl: int = setting(
        7 * 24 * 3600,
        "CHATTY_EMIT_ORDER_TTL",
        "seconds a room's live-delivery turn counter (`<channel>:emitted:<room>`) outlives the "
        "room's last message; deleted with the room",
    )
