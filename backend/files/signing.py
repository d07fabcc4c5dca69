"""Signed, expiring relative URLs of attachments: they work as `<img src>` without a token.

The key is derived from the JWT secret (never the secret itself), so a signature cannot be
mistaken for a token and the two can be rotated together.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from backend.settings.config import Settings

FILE, THUMBNAIL = "file", "thumbnail"
PREFIX = "/api/v1/attachments"


@dataclass(frozen=True, slots=True)
class Signer:
    key: bytes
    ttl: int

    @classmethod
    def from_secret(cls, secret: str, ttl: int) -> Signer:
        key = hmac.new(secret.encode(), b"chatty attachment urls v1", hashlib.sha256).digest()
        return cls(key, ttl)

    def _mac(self, attachment_id: int, variant: str, expires: int) -> str:
        msg = f"{attachment_id}:{variant}:{expires}".encode()
        return hmac.new(self.key, msg, hashlib.sha256).hexdigest()[:43]

    def url(self, attachment_id: int, variant: str = FILE, *, now: float | None = None) -> str:
        # Expiry rounded up to a tenth of the TTL: the same URL for a while, so browsers cache.
        step = max(1, self.ttl // 10)
        expires = int(((now or time.time()) + self.ttl) // step * step + step)
        path = f"{PREFIX}/{attachment_id}" + ("/thumbnail" if variant == THUMBNAIL else "")
        return f"{path}?exp={expires}&sig={self._mac(attachment_id, variant, expires)}"

    def valid(self, attachment_id: int, variant: str, expires: str, signature: str) -> bool:
        """A signature of this attachment and variant that has not expired. Compared as bytes:
        `compare_digest` raises TypeError on a non-ASCII str (a 500 for `sig=é`)."""
        if not expires.isascii() or not expires.isdigit() or len(expires) > 12:
            return False
        mac = self._mac(attachment_id, variant, int(expires)).encode()
        good = hmac.compare_digest(mac, signature.encode("utf-8", "surrogatepass"))
        return good and int(expires) > time.time()


def signer_for(settings: Settings) -> Signer:
    return Signer.from_secret(settings.jwt_secret, settings.file_url_ttl)
