"""One REST operation as the spec describes it; the feature modules declare theirs with it."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema


@dataclass(frozen=True)
class Op:
    method: str
    path: str
    summary: str
    status: int
    response: type[Schema] | None = None
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    auth: bool = True
    errors: tuple[int, ...] = ()
