"""Rooms, membership, roles, moderation, DMs, who hears about what."""
