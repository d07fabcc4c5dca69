"""The layout shows the pipeline and stays small enough to read (issue 11's acceptance)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.procs import ROOT

MODULE_MAX_LINES = 250
FUNCTION_MAX_LINES = 60


def _modules(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", _modules("backend"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_gateway_package_never_imports_the_worker_or_the_composition_root(path: Path) -> None:
    assert not _imports(path) & {"worker", "chatty"}


@pytest.mark.parametrize("path", _modules("backend"), ids=lambda p: str(p.relative_to(ROOT)))
def test_backend_modules_stay_under_the_size_a_newcomer_reads_at_once(path: Path) -> None:
    assert len(path.read_text().splitlines()) < MODULE_MAX_LINES


def test_no_function_is_longer_than_a_screen() -> None:
    long = []
    for path in _modules("backend", "worker", "chatty"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_MAX_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length})")
    assert not long
