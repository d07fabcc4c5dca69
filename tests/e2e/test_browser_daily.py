"""The every-day suite in chromium (`frontend/e2e/daily.e2e.test.mjs`,
`tests/support/browser.py`): keyboard, drafts and limits, unread, offline, members, account
settings and accessibility (axe-core)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.browser import run_suite
from tests.support.procs import Cluster

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600), pytest.mark.seconds(50)]


def test_every_day_use_in_a_browser_across_two_gateways(
    cluster: Callable[..., Cluster], tmp_path_factory: pytest.TempPathFactory
) -> None:
    run_suite("daily", cluster, tmp_path_factory)
