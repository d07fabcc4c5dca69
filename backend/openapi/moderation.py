"""The OpenAPI operations of contract §6 "Roles and moderation" and "Profiles and blocking"
(kept beside `backend.openapi.spec`, which adds them to the one description)."""

from __future__ import annotations

from backend.openapi.op import Op
from backend.openapi.responses import RoomOut, UserOut
from backend.rooms import schemas as M
from backend.shapes import chat_schemas as C

_BODY_ERRORS = (400, 401, 403, 404, 413, 422, 429)
OPERATIONS = [
    Op(
        "patch",
        "/api/v1/rooms/{id}",
        "Rename a room or set its topic (admin+); event room:updated",
        200,
        RoomOut,
        M.RoomPatchIn,
        errors=(*_BODY_ERRORS, 409),
    ),
    Op(
        "delete",
        "/api/v1/rooms/{id}",
        "Delete a room and its history (owner); event room:removed",
        204,
        errors=(401, 403, 404, 429),
    ),
    Op(
        "patch",
        "/api/v1/rooms/{id}/members/{user_id}",
        "Make a member an admin or a member again (owner); returns the room",
        200,
        RoomOut,
        M.RoleIn,
        errors=_BODY_ERRORS,
    ),
    Op(
        "delete",
        "/api/v1/rooms/{id}/members/{user_id}",
        "Kick a member (admin+); events room:member_left and room:removed",
        204,
        errors=(401, 403, 404, 429),
    ),
    Op(
        "post",
        "/api/v1/rooms/{id}/bans",
        "Ban a user: kick, and no join or add until unbanned (admin+)",
        204,
        None,
        C.UserRefIn,
        errors=_BODY_ERRORS,
    ),
    Op(
        "delete",
        "/api/v1/rooms/{id}/bans/{user_id}",
        "Unban a user (admin+)",
        204,
        errors=(401, 403, 404, 429),
    ),
    Op(
        "patch",
        "/api/v1/users/me",
        "Change the caller's display name; event user:updated",
        200,
        UserOut,
        M.ProfileIn,
        errors=(400, 401, 413, 422, 429),
    ),
    Op(
        "post",
        "/api/v1/users/{id}/block",
        "Block a user (they are not told)",
        204,
        errors=(401, 404, 422, 429),
    ),
    Op("delete", "/api/v1/users/{id}/block", "Unblock a user", 204, errors=(401, 404, 429)),
]
