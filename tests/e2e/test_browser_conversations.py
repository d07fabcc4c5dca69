"""The conversations suite in chromium (`frontend/e2e/conversations.e2e.test.mjs`,
`tests/support/browser.py`): replies, reactions, @mentions and notifications, search."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.browser import run_suite
from tests.support.procs import Cluster

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600), pytest.mark.seconds(45)]


def test_conversations_in_a_browser_across_two_gateways(
    cluster: Callable[..., Cluster], tmp_path_factory: pytest.TempPathFactory
) -> None:
    run_suite("conversations", cluster, tmp_path_factory)
