"""Every browser suite of `frontend/e2e/` runs in `make test`: each has its pytest file
(`tests/e2e/test_browser_<suite>.py`, one per suite so xdist spreads them), and none is left out."""

from __future__ import annotations

from tests.support.procs import ROOT


def test_every_frontend_e2e_suite_has_its_pytest_file() -> None:
    suites = {
        p.name.removesuffix(".e2e.test.mjs") for p in (ROOT / "frontend/e2e").glob("*.test.mjs")
    }
    assert suites, "no browser suite found"
    files = {
        p.stem.removeprefix("test_browser_"): p
        for p in (ROOT / "tests/e2e").glob("test_browser_*.py")
    }
    assert set(files) == suites, "one tests/e2e/test_browser_<suite>.py per frontend/e2e suite"
    for suite, path in files.items():
        assert f'run_suite("{suite}"' in path.read_text(), f"{path.name} runs the {suite} suite"
