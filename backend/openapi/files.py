"""The OpenAPI paths of contract §6 "Files and images" (added to `backend.openapi.spec`'s one
description): a multipart upload and binary downloads, which the JSON `Op` helper does not
describe."""

from __future__ import annotations

from typing import Any

from backend.openapi.responses import AttachmentOut, UserOut

_ERROR = {"description": "error", "content": {"application/json": {"schema": "Error"}}}
_ID = {"in": "path", "name": "id", "required": True, "schema": {"type": "integer"}}
_SIGNED = [
    {"in": "query", "name": "exp", "schema": {"type": "string"}, "description": "expiry"},
    {"in": "query", "name": "sig", "schema": {"type": "string"}, "description": "signature"},
]
_SERVED_AS = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/octet-stream")
_BINARY = {
    "description": "the file: an allow-listed image inline, anything else as a download",
    "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in _SERVED_AS},
}


def _download(summary: str) -> dict[str, Any]:
    return {
        "summary": summary,
        "parameters": [_ID, *_SIGNED],
        "security": [{}, {"bearer": []}],
        "responses": {"200": _BINARY, **{s: _ERROR for s in ("401", "403", "404")}},
    }


def _multipart() -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
        "required": ["file"],
    }
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def file_paths() -> dict[str, dict[str, Any]]:
    return {
        "/api/v1/users/me/avatar": {
            "post": {
                "summary": "Set the caller's avatar (an image; kept as a 320×320 WebP); "
                "event user:updated",
                "security": [{"bearer": []}],
                "requestBody": _multipart(),
                "responses": {
                    "200": {
                        "description": "the User, with its new avatar_url",
                        "content": {"application/json": {"schema": UserOut}},
                    },
                    **{s: _ERROR for s in ("401", "408", "413", "422", "429")},
                },
            }
        },
        "/api/v1/users/{id}/avatar/{avatar_id}": {
            "get": {
                "summary": "A user's avatar (a User's avatar_url; no token needed)",
                "parameters": [
                    _ID,
                    {
                        "in": "path",
                        "name": "avatar_id",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                ],
                "responses": {"200": _BINARY, "404": _ERROR},
            }
        },
        "/api/v1/rooms/{id}/attachments": {
            "post": {
                "summary": "Upload a file to a room (members; multipart, one `file` part); "
                "send it with `message:send` `attachment_ids`",
                "parameters": [_ID],
                "security": [{"bearer": []}],
                "requestBody": _multipart(),
                "responses": {
                    "201": {
                        "description": "the Attachment",
                        "content": {"application/json": {"schema": AttachmentOut}},
                    },
                    **{s: _ERROR for s in ("401", "403", "404", "408", "413", "422", "429")},
                },
            }
        },
        "/api/v1/attachments/{id}": {
            "get": _download("Download a file: a signed URL, or a member's Bearer token")
        },
        "/api/v1/attachments/{id}/thumbnail": {
            "get": _download("An image's thumbnail (WebP, at most 320×320)")
        },
    }
