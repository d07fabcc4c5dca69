"""The files suite in chromium (`frontend/e2e/files.e2e.test.mjs`, `tests/support/browser.py`):
uploads through gateway A served by gateway B (one file store), thumbnails, the lightbox, the
per-file errors and avatars."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.browser import run_suite
from tests.support.procs import Cluster

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600), pytest.mark.seconds(45)]


def test_files_and_images_in_a_browser_across_two_gateways(
    cluster: Callable[..., Cluster], tmp_path_factory: pytest.TempPathFactory
) -> None:
    run_suite("files", cluster, tmp_path_factory)
