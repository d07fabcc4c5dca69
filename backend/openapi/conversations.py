"""The OpenAPI operations of contract §6 "Replies", "Mentions and notifications" and "Search"
(kept beside `backend.openapi.spec`, which adds them to the one description)."""

from __future__ import annotations

from backend.api.conversations import NotifyIn, SearchQuery
from backend.openapi.op import Op
from backend.openapi.responses import RoomOut, SearchOut

OPERATIONS = [
    Op(
        "patch",
        "/api/v1/rooms/{id}/members/me",
        "Set the caller's notification level in a room (all, mentions, none)",
        200,
        RoomOut,
        NotifyIn,
        errors=(400, 401, 403, 404, 413, 422, 429),
    ),
    Op(
        "get",
        "/api/v1/search",
        "Full-text search of the caller's rooms, newest first (never a deleted message)",
        200,
        SearchOut,
        query=SearchQuery,
        errors=(401, 403, 404, 422, 429),
    ),
]
