"""One error type carrying the contract's code and HTTP status: in app code, just raise."""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """A failure the client is told about, as a REST envelope or a Socket.IO error ack."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str] = "bad request"

    def __init__(
        self,
        message: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        self.retry_after = retry_after
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(AppError):
    status, code, default_message = 400, "bad_request", "body must be a JSON object"


class Unauthorized(AppError):
    status, code, default_message = 401, "unauthorized", "authentication required"


class Forbidden(AppError):
    status, code, default_message = 403, "forbidden", "not allowed"


class NotFound(AppError):
    status, code, default_message = 404, "not_found", "not found"


class MethodNotAllowed(AppError):
    status, code, default_message = 405, "method_not_allowed", "method not allowed"


class Conflict(AppError):
    status, code, default_message = 409, "conflict", "conflict"


class PayloadTooLarge(AppError):
    status, code, default_message = 413, "payload_too_large", "request body over 64 KiB"


class ValidationFailed(AppError):
    status, code, default_message = 422, "validation_error", "invalid fields"


class RateLimited(AppError):
    status, code, default_message = 429, "rate_limited", "too many requests"


class Unavailable(AppError):
    status, code, default_message = 503, "unavailable", "service temporarily unavailable"


class InternalError(AppError):
    status, code, default_message = 500, "internal", "internal error"
