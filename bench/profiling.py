"""py-spy on the servers under load: raw collapsed stacks, summarised into a markdown table."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Spy:
    name: str
    popen: subprocess.Popen[bytes]
    raw: Path

    def stop(self) -> None:
        """SIGINT makes py-spy write what it sampled so far."""
        if self.popen.poll() is None:
            self.popen.send_signal(2)
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)


class Profiler:
    """Starts py-spy (sampling, non-blocking) against a pid; one raw file per target."""

    def __init__(self, out_dir: Path, rate: int = 200) -> None:
        beside = Path(sys.executable).parent / "py-spy"  # the venv's, when not on PATH
        exe = str(beside) if beside.exists() else shutil.which("py-spy")
        if exe is None:
            raise RuntimeError("py-spy is not installed: pip install -e '.[bench]'")
        self.exe = exe
        self.out_dir = out_dir
        self.rate = rate
        self.spies: list[Spy] = []

    def start(self, name: str, pid: int) -> Spy:
        raw = self.out_dir / f"profile-{name}.txt"
        popen = subprocess.Popen(
            [
                self.exe,
                "record",
                "--pid",
                str(pid),
                "--rate",
                str(self.rate),
                "--nonblocking",
                "--format",
                "raw",
                "--output",
                str(raw),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        spy = Spy(name, popen, raw)
        self.spies.append(spy)
        return spy

    def stop_all(self) -> None:
        for spy in self.spies:
            with contextlib.suppress(Exception):
                spy.stop()


def _frame_name(frame: str) -> str:
    """`func (path/to/module.py:123)` → `func (module path)` without the line number."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


def _package(frame: str) -> str:
    path = frame.partition(" (")[2]
    top = path.split("/", 1)[0].rstrip(")")
    return top.removesuffix(".py")


def summarise(raw: Path, top: int = 25) -> dict[str, object]:
    """Self and inclusive sample shares per function, and self share per package."""
    self_counts: Counter[str] = Counter()
    incl_counts: Counter[str] = Counter()
    pkg_counts: Counter[str] = Counter()
    total = 0
    if not raw.exists():
        return {"samples": 0}
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame_name(f) for f in stack.split(";") if f and not f.startswith("process ")]
        frames = [f for f in frames if not f.startswith("<module>")]
        if not frames:
            continue
        total += count
        self_counts[frames[-1]] += count
        pkg_counts[_package(frames[-1])] += count
        for f in set(frames):
            incl_counts[f] += count

    def share(c: Counter[str]) -> list[tuple[str, float]]:
        return [(k, round(100 * v / total, 1)) for k, v in c.most_common(top)]

    return {
        "samples": total,
        "self": share(self_counts),
        "inclusive": share(incl_counts),
        "packages": share(pkg_counts),
    }


def markdown(name: str, summary: dict[str, object]) -> str:
    lines = [f"### {name} ({summary.get('samples', 0)} samples)", ""]
    if not summary.get("samples"):
        return "\n".join([*lines, "no samples", ""])
    for title, key in (
        ("self time by package", "packages"),
        ("self time", "self"),
        ("inclusive", "inclusive"),
    ):
        lines += [f"| {title} | % |", "| --- | ---: |"]
        lines += [f"| `{k}` | {v} |" for k, v in summary[key]]  # type: ignore[attr-defined]
        lines.append("")
    return "\n".join(lines)
