"""The names of the Socket.IO rooms ("channels") every process agrees on: the gateways' sockets
enter them, the fan-out sends to them, the worker's events name them. Written once, here."""

from __future__ import annotations


def room_channel(room_id: int) -> str:
    """The Socket.IO room of a chat room's members."""
    return f"room:{room_id}"


def user_channel(user_id: int) -> str:
    """The Socket.IO room of every socket of one user (on any gateway node)."""
    return f"user:{user_id}"
