"""The OpenAPI 3 description of the REST API, generated (apispec) from the marshmallow schemas
the handlers validate with; responses are described by the output schemas below."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from backend.accounts import schemas as account_schemas
from backend.openapi.admin import OPERATIONS as ADMIN
from backend.openapi.conversations import OPERATIONS as CONVERSATIONS
from backend.openapi.files import file_paths
from backend.openapi.moderation import OPERATIONS as MODERATION
from backend.openapi.op import Op
from backend.openapi.responses import (
    ErrorOut,
    MembersOut,
    MessagesOut,
    RecoveryPhraseOut,
    RegisteredOut,
    RoomOut,
    RoomsOut,
    TokensOut,
    UserOut,
    UsersOut,
)
from backend.shapes import chat_schemas

A, C = account_schemas, chat_schemas
OPERATIONS = [
    Op(
        "post",
        "/api/v1/auth/register",
        "Create an account (403 with `details.reason` when registration refuses it)",
        201,
        RegisteredOut,
        A.RegisterIn,
        auth=False,
        errors=(400, 403, 409, 413, 422, 429),
    ),
    Op(
        "post",
        "/api/v1/auth/login",
        "Log in",
        200,
        TokensOut,
        A.LoginIn,
        auth=False,
        errors=(400, 401, 413, 422, 429),
    ),
    Op(
        "post",
        "/api/v1/auth/refresh",
        "Rotate the refresh token",
        200,
        TokensOut,
        A.RefreshIn,
        auth=False,
        errors=(400, 401, 413, 422),
    ),
    Op(
        "post",
        "/api/v1/auth/logout",
        "End the session (its refresh and access tokens)",
        204,
        None,
        A.LogoutIn,
        errors=(400, 401, 413, 422),
    ),
    Op(
        "post",
        "/api/v1/auth/recover",
        "Reset the password with the recovery phrase",
        200,
        RegisteredOut,
        A.RecoverIn,
        auth=False,
        errors=(400, 401, 413, 422, 429),
    ),
    Op(
        "post",
        "/api/v1/auth/password",
        "Change the password; every other session of the user ends",
        204,
        None,
        A.PasswordChangeIn,
        errors=(400, 401, 413, 422, 429),
    ),
    Op(
        "post",
        "/api/v1/auth/recovery-phrase",
        "A new recovery phrase (the old one stops working)",
        200,
        RecoveryPhraseOut,
        A.RecoveryPhraseIn,
        errors=(400, 401, 413, 422, 429),
    ),
    Op("get", "/api/v1/users/me", "The caller", 200, UserOut, errors=(401,)),
    Op(
        "get",
        "/api/v1/users",
        "Search users by username prefix",
        200,
        UsersOut,
        query=A.UserSearchIn,
        errors=(401, 422),
    ),
    Op(
        "post",
        "/api/v1/rooms",
        "Create a room",
        201,
        RoomOut,
        C.RoomCreateIn,
        errors=(400, 401, 409, 413, 422, 429),
    ),
    Op(
        "get",
        "/api/v1/rooms",
        "The caller's rooms, most recent activity first",
        200,
        RoomsOut,
        errors=(401,),
    ),
    Op("get", "/api/v1/rooms/public", "Public rooms", 200, RoomsOut, errors=(401,)),
    Op(
        "post",
        "/api/v1/rooms/{id}/join",
        "Join a public room",
        200,
        RoomOut,
        errors=(401, 403, 404, 429),
    ),
    Op(
        "post",
        "/api/v1/rooms/{id}/members",
        "Add a member",
        200,
        RoomOut,
        C.UserRefIn,
        errors=(400, 401, 403, 404, 409, 413, 422, 429),
    ),
    Op(
        "get",
        "/api/v1/rooms/{id}/members",
        "Members, online state, read markers",
        200,
        MembersOut,
        errors=(401, 403, 404),
    ),
    Op("delete", "/api/v1/rooms/{id}/members/me", "Leave a room", 204, errors=(403, 404, 429)),
    Op(
        "post",
        "/api/v1/dms",
        "Open the direct-message room with a user",
        200,
        RoomOut,
        C.UserRefIn,
        errors=(400, 401, 403, 404, 413, 422, 429),
    ),
    Op(
        "get",
        "/api/v1/rooms/{id}/messages",
        "History page (keyset on seq)",
        200,
        MessagesOut,
        query=C.HistoryQuery,
        errors=(401, 403, 404, 422, 429),
    ),
    Op(
        "post",
        "/api/v1/rooms/{id}/read",
        "Mark read up to seq",
        204,
        None,
        C.ReadIn,
        errors=(400, 401, 403, 404, 413, 422),
    ),
]


def build_spec() -> dict[str, Any]:
    spec = APISpec(
        title="chatty",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "chatty's REST API. Errors always use the `Error` envelope."},
    )
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    spec.components.schema("Error", schema=ErrorOut)
    by_path: dict[str, dict[str, Any]] = {}
    for op in [*OPERATIONS, *MODERATION, *CONVERSATIONS, *ADMIN]:
        by_path.setdefault(op.path, {})[op.method] = _operation(op)
    for path, operations in {**by_path, **file_paths()}.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(op: Op) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": "success"}
    if op.response is not None:
        ok["content"] = {"application/json": {"schema": op.response}}
    responses: dict[str, Any] = {str(op.status): ok}
    for status in (*op.errors, 401) if op.auth else op.errors:
        responses[str(status)] = {
            "description": "error",
            "content": {"application/json": {"schema": "Error"}},
        }
    operation: dict[str, Any] = {"summary": op.summary, "responses": responses}
    if op.auth:
        operation["security"] = [{"bearer": []}]
    parameters: list[dict[str, Any]] = []
    for name in ("id", "user_id"):
        if f"{{{name}}}" in op.path:
            parameters.append(
                {"in": "path", "name": name, "required": True, "schema": {"type": "integer"}}
            )
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    if parameters:
        operation["parameters"] = parameters
    if op.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": op.body}},
        }
    return operation
