"""The rate limits of the moderation, profile and blocking write paths (contract §6).

A base of `backend.config.Settings`: these fields are ordinary settings (environment variables,
README table), kept here so the one settings module stays a size a newcomer reads at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class WriteLimits:
    moderation_per_minute: int = field(
        default=60,
        metadata={
            "env": "CHATTY_MODERATION_PER_MINUTE",
            "doc": "room settings, role, kick, ban, unban and room deletions a user may make per "
            "minute",
        },
    )
    profile_updates_per_minute: int = field(
        default=10,
        metadata={
            "env": "CHATTY_PROFILE_UPDATES_PER_MINUTE",
            "doc": "profile changes (display name) a user may make per minute",
        },
    )
    blocks_per_minute: int = field(
        default=30,
        metadata={
            "env": "CHATTY_BLOCKS_PER_MINUTE",
            "doc": "blocks and unblocks a user may make per minute",
        },
    )
