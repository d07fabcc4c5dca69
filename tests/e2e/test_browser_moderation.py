"""The moderation suite in chromium (`frontend/e2e/moderation.e2e.test.mjs`,
`tests/support/browser.py`): room settings, roles, kick and ban, blocking, profiles, and the
overload step — the worker stopped, a busy gateway refusing sends, the SPA retrying by itself."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.browser import run_suite
from tests.support.procs import Cluster

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600), pytest.mark.seconds(50)]


def test_moderation_in_a_browser_across_two_gateways_and_an_overload(
    cluster: Callable[..., Cluster], tmp_path_factory: pytest.TempPathFactory
) -> None:
    run_suite("moderation", cluster, tmp_path_factory, busy=True, worker_restarts=["stop", "start"])
