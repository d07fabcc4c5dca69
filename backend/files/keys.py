"""The files feature's share of the app: its store and URL signer."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from backend.files.signing import Signer
from backend.files.storage import Storage


@dataclass(frozen=True, slots=True)
class Files:
    storage: Storage
    signer: Signer


FILES = web.AppKey("files", Files)
