"""`make bench` at a tiny size, so the harness never rots: every scenario, every system.

The numbers are not judged here (a busy machine makes them noise); only that each scenario ran
to the end, delivered everything it sent, and wrote its results.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import services
from tests.support.procs import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.seconds(55)]

SYSTEMS = ("chatty", "python-relay", "node-relay")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> dict:
    services.require("PostgreSQL", "127.0.0.1", 5432)
    out: Path = tmp_path_factory.mktemp("bench")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--smoke",
            "--out",
            str(out),
            "--pg",
            services.PG_ADMIN,
            "--redis",
            redis_url,  # the run's own database (CHATTY_TEST_REDIS_DB), not another run's
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        # ~30 s on an idle 2-core machine, ~100 s under `make test` on a busy one: the bound
        # is for a stuck run only.
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert (out / "latest.md").is_file()
    return json.loads((out / "latest.json").read_text())


@pytest.mark.timeout(330)
def test_every_system_ran_throughput_fanout_and_connections(results: dict) -> None:
    for name in SYSTEMS:
        system = results["systems"][name]
        assert "error" not in system, (name, system.get("error"))
        steps = system["throughput"]["steps"]
        assert steps, name
        assert all(s["delivered"] == s["expected"] for s in steps), (name, steps)
        assert system["throughput"]["saturation"]["delivered_per_s"] > 0, name
        fan = system["fanout"]
        assert fan["incomplete_messages"] == 0, (name, fan)
        assert fan["delivered"] == fan["expected"], (name, fan)
        conn = system["connections"]
        assert conn["failed"] == 0, (name, conn)
        assert conn["connections"] == results["meta"]["sizes"]["connections"], name


def test_chatty_persisted_what_it_delivered(results: dict) -> None:
    tp = results["systems"]["chatty"]["throughput"]
    assert all(s["persisted_per_s"] > 0 for s in tp["steps"]), tp["steps"]


def test_worker_drained_the_backlog_and_copy_was_measured(results: dict) -> None:
    pers = results["persistence"]
    assert pers["stored"] == pers["backlog"], pers
    assert pers["left_in_stream"] == 0, pers
    assert pers["copy_rows"] == pers["backlog"], pers
    assert pers["ratio"] > 0, pers
    two = results["persistence_2_workers"]
    assert (two["workers"], two["stored"], two["left_in_stream"]) == (2, two["backlog"], 0), two


def test_every_target_is_reported_with_a_ratio(results: dict) -> None:
    assert len(results["targets"]) == 11  # issue 12's five, then issue 8's six
    assert all("met" in t and "measured" in t for t in results["targets"])
