"""The files feature's share of the app: its store, URL signer and image pool."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from backend.files.signing import Signer
from backend.files.storage import Storage
from backend.files.workers import ImagePool


@dataclass(frozen=True, slots=True)
class Files:
    storage: Storage
    signer: Signer
    images: ImagePool


FILES = web.AppKey("files", Files)
