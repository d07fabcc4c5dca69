"""The chat suite in chromium (`frontend/e2e/chat.e2e.test.mjs`, `tests/support/browser.py`):
two people on two gateways, live messages, XSS, edit and delete, unread, offline, and the whole
system killed and restarted mid-way (both pages reconnect, nothing lost or doubled)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.browser import run_suite
from tests.support.procs import Cluster

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600), pytest.mark.seconds(60)]


def test_chat_in_a_browser_across_two_gateways_and_a_restart(
    cluster: Callable[..., Cluster], tmp_path_factory: pytest.TempPathFactory
) -> None:
    run_suite("chat", cluster, tmp_path_factory, restarts=["stop", "start"])
