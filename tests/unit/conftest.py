"""The unit tier: no PostgreSQL, no Redis, no processes — it passes with both servers stopped,
in seconds. A test that needs them belongs in tests/integration/ (tests/integration/pipeline/
for the pipeline's stages in this process); asking for one of their fixtures here is an error.
"""

from __future__ import annotations

import pytest

# The fixtures of tests/conftest.py that reach a server or start processes (and every fixture
# built on them: pytest lists the whole closure in `fixturenames`).
SERVICE_FIXTURES = frozenset(
    {
        "pg_url",
        "redis_url",
        "cluster",
        "embedded_cluster",
        "embedded_node",
        "shared_cluster",
        "app_url",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse, at collection, a unit test that would reach PostgreSQL, Redis or a process."""
    for item in items:
        if "tests/unit/" not in item.nodeid:
            continue
        used = SERVICE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if used:
            raise pytest.UsageError(
                f"{item.nodeid} uses {', '.join(sorted(used))}: a unit test touches no database,"
                " Redis or process; move it to tests/integration/"
            )
