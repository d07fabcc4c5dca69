#!/usr/bin/env python3
"""Issue 32 items 1-2, the mechanical half: `git mv` every module of the table below and rewrite
every reference to it (imports, dotted strings, paths in docs/config). Run at the repo root:

    python3 /work/wt/_brief/layout/restructure.py            # do it
    python3 /work/wt/_brief/layout/restructure.py --dry-run  # only check the table, print plans

Re-runnable: a move whose source is gone and whose target exists is skipped; rewriting an already
rewritten tree changes nothing (old names no longer occur). It FAILS (exit 2, nothing moved) when a
module under a dissolved folder (backend/*.py, backend/chat/) has no row: add one to MOVES.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

# old path -> new path. Folders named in DISSOLVED must be covered entirely.
MOVES: dict[str, str] = {
    # shapes: the wire's dicts and input schemas, the error type, JSON (rank 0)
    "backend/errors.py": "backend/shapes/errors.py",
    "backend/validation.py": "backend/shapes/validation.py",
    "backend/jsonutil.py": "backend/shapes/jsonutil.py",
    "backend/serialize.py": "backend/shapes/serialize.py",
    "backend/chat/schemas.py": "backend/shapes/chat_schemas.py",
    # settings (rank 0)
    "backend/config.py": "backend/settings/config.py",
    "backend/config_env.py": "backend/settings/config_env.py",
    "backend/config_limits.py": "backend/settings/config_limits.py",
    # content rules: markdown then nh3 (rank 1)
    "backend/chat/markdown.py": "backend/content/markdown.py",
    "backend/chat/sanitize.py": "backend/content/sanitize.py",
    # infrastructure (rank 1)
    "backend/db.py": "backend/infra/db.py",
    "backend/redis_client.py": "backend/infra/redis_client.py",
    "backend/closing.py": "backend/infra/closing.py",
    "backend/backoff.py": "backend/infra/backoff.py",
    "backend/heap.py": "backend/infra/heap.py",
    "backend/logs.py": "backend/infra/logs.py",
    "backend/metrics.py": "backend/infra/metrics.py",
    "backend/outages.py": "backend/infra/outages.py",
    "backend/ratelimit.py": "backend/infra/ratelimit.py",
    "backend/limits.py": "backend/infra/limits.py",
    "backend/migrations.py": "backend/infra/migrations.py",
    # HTTP toolkit every route uses (rank 4, above accounts: current_user)
    "backend/http.py": "backend/web/http.py",
    "backend/keys.py": "backend/web/keys.py",
    # rooms + moderation (rank 5)
    "backend/chat/models.py": "backend/rooms/models.py",
    "backend/chat/roles.py": "backend/rooms/roles.py",
    "backend/chat/room_names.py": "backend/rooms/names.py",
    "backend/chat/rooms.py": "backend/rooms/rooms.py",
    "backend/chat/members.py": "backend/rooms/members.py",
    "backend/chat/dms.py": "backend/rooms/dms.py",
    "backend/chat/moderation.py": "backend/rooms/moderation.py",
    "backend/chat/moderation_schemas.py": "backend/rooms/schemas.py",
    "backend/chat/mentions.py": "backend/rooms/notify.py",
    "backend/chat/visibility.py": "backend/rooms/visibility.py",
    "backend/chat/arrival.py": "backend/rooms/arrival.py",
    # messages: the read path and what a message carries (rank 6)
    "backend/chat/history.py": "backend/messages/history.py",
    "backend/chat/enrich.py": "backend/messages/enrich.py",
    "backend/chat/replies.py": "backend/messages/replies.py",
    "backend/chat/reactions.py": "backend/messages/reactions.py",
    "backend/chat/recent.py": "backend/messages/recent.py",
    "backend/chat/search.py": "backend/messages/search.py",
    "backend/chat/search_query.py": "backend/messages/search_query.py",
    "backend/chat/unread.py": "backend/rooms/unread.py",
    # files (rank 7): its routes go to api/, its spec to openapi/
    # fan-out port: channels, Emission, Emitter, Notifier (rank 8)
    "backend/realtime/events.py": "backend/fanout/events.py",
    # inbound: the gateway's half of every write (rank 9)
    "backend/chat/send.py": "backend/inbound/send.py",
    "backend/chat/envelope.py": "backend/inbound/envelope.py",
    "backend/chat/write_path.py": "backend/inbound/write_path.py",
    "backend/chat/moderation_queue.py": "backend/inbound/moderation.py",
    "backend/admission.py": "backend/inbound/admission.py",
    # realtime/engine: what adapts python-socketio / engine.io / aiohttp (rank 10)
    "backend/realtime/lean_socket.py": "backend/realtime/engine/lean_socket.py",
    "backend/realtime/frames.py": "backend/realtime/engine/frames.py",
    "backend/realtime/backpressure.py": "backend/realtime/engine/backpressure.py",
    "backend/realtime/memory.py": "backend/realtime/engine/memory.py",
    "backend/realtime/server.py": "backend/realtime/engine/server.py",
    "backend/realtime/emitter.py": "backend/realtime/engine/emitter.py",
    "backend/realtime/recovery.py": "backend/realtime/engine/recovery.py",
    "backend/realtime/inflight.py": "backend/realtime/engine/inflight.py",
    "backend/realtime/sessions.py": "backend/realtime/engine/sessions.py",
    "backend/realtime/invalid_frames.py": "backend/realtime/engine/invalid_frames.py",
    # realtime (rank 11): acks, announce, connection, membership, namespace, presence, typing stay
    # api: the REST handlers, one module per feature (rank 12)
    "backend/accounts/routes.py": "backend/api/accounts.py",
    "backend/accounts/people_routes.py": "backend/api/people.py",
    "backend/chat/routes.py": "backend/api/rooms.py",
    "backend/chat/conversation_routes.py": "backend/api/conversations.py",
    "backend/chat/moderation_routes.py": "backend/api/moderation.py",
    "backend/files/routes.py": "backend/api/files.py",
    "backend/files/avatars.py": "backend/api/avatars.py",
    "backend/ops.py": "backend/api/ops.py",
    # openapi: the spec (rank 13)
    "backend/openapi.py": "backend/openapi/spec.py",
    "backend/openapi_conversations.py": "backend/openapi/conversations.py",
    "backend/openapi_moderation.py": "backend/openapi/moderation.py",
    "backend/files/openapi.py": "backend/openapi/files.py",
    "backend/responses.py": "backend/openapi/responses.py",
    # gateway wiring (rank 14)
    "backend/app.py": "backend/gateway/app.py",
    "backend/runtime.py": "backend/gateway/runtime.py",
    # worker: the apply step and its two stores, the follow-ups (ranks 15-16)
    "backend/chat/persist.py": "worker/apply/persist.py",
    "backend/chat/persist_orm.py": "worker/apply/portable.py",
    "backend/chat/persist_pg.py": "worker/apply/postgres.py",
    "backend/chat/moderation_persist.py": "worker/apply/moderator_delete.py",
    "backend/chat/followups.py": "worker/followups.py",
    "backend/chat/__init__.py": None,  # type: ignore[dict-item]  # the folder goes
}
DISSOLVED = ("backend/chat/", "backend/")  # backend/ itself: only loose modules (not folders)
KEEP_LOOSE = {"backend/__init__.py"}
PACKAGE_DOCS = {
    "backend/shapes": "Shapes: errors, input schemas, the wire's dicts, JSON; no feature knowledge.",
    "backend/settings": "Settings: the one typed `Settings` and its environment parsing.",
    "backend/content": "Content rules: markdown rendering, then the nh3 policy.",
    "backend/infra": "Infrastructure: database, Redis, logs, metrics, rate limits, migrations.",
    "backend/web": "The HTTP toolkit every route uses: JSON bodies, errors, auth, app keys.",
    "backend/rooms": "Rooms, membership, roles, moderation, DMs, who hears about what.",
    "backend/messages": "The read path: history, replies, reactions, search, the recent cache.",
    "backend/fanout": "The fan-out port: channel names, every event and payload (`Notifier`).",
    "backend/inbound": "The gateway's half of every write: validate, authorise, admit, queue.",
    "backend/realtime/engine": "What adapts python-socketio, engine.io and aiohttp.",
    "backend/api": "REST handlers, one module per feature.",
    "backend/openapi": "The OpenAPI document of the REST API.",
    "backend/gateway": "The gateway's wiring: `create_app` and what its handlers share.",
    "worker/apply": "The worker's half of every write: apply a batch, exactly once.",
}
# A moved module one folder deeper that finds the repository from its own file.
FIXUPS: dict[str, tuple[str, str]] = {
    "backend/infra/db.py": (
        "Path(__file__).resolve().parent.parent /",
        "Path(__file__).resolve().parents[2] /",
    ),
    "backend/settings/config.py": (
        "Path(__file__).resolve().parent.parent /",
        "Path(__file__).resolve().parents[2] /",
    ),
}
TEXT_SUFFIXES = {".py", ".toml", ".md", ".yml", ".yaml", ".sh", ".cfg", ".ini", ".txt", ".json"}
SKIP_PREFIXES = ("frontend/", "db/migrations/", "docs/screenshots/", "scripts/layout_step2/")


def mod(path: str) -> str:
    dotted = path.removesuffix(".py").replace("/", ".")
    return dotted.removesuffix(".__init__")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def unmapped() -> list[str]:
    tracked = git("ls-files", "backend").split()
    missing = []
    for path in tracked:
        if not path.endswith(".py") or path in MOVES or path in KEEP_LOOSE:
            continue
        loose = path.count("/") == 1
        if loose or path.startswith("backend/chat/"):
            missing.append(path)
    return missing


def do_moves(dry: bool) -> None:
    for old, new in MOVES.items():
        if new is None:
            if Path(old).exists() and not dry:
                git("rm", "-q", old)
            continue
        if not Path(old).exists():
            if Path(new).exists():
                continue
            print(f"MISSING: {old} (and {new} absent)", file=sys.stderr)
            continue
        if dry:
            print(f"mv {old} {new}")
            continue
        Path(new).parent.mkdir(parents=True, exist_ok=True)
        git("mv", old, new)
    for package, doc in PACKAGE_DOCS.items():
        init = Path(package) / "__init__.py"
        if not init.exists() and not dry:
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text(f'"""{doc}"""\n')
            git("add", str(init))


def module_map() -> dict[str, str]:
    return {mod(o): mod(n) for o, n in MOVES.items() if n is not None}


FROM_IMPORT = re.compile(
    r"^(?P<indent>[ \t]*)from (?P<pkg>backend(?:\.\w+)*|worker) import (?P<names>[^(\n]+?)$", re.M
)


def split_from_imports(text: str, mapping: dict[str, str]) -> str:
    """`from backend import logs, ops` -> one line per new parent package."""

    def fix(match: re.Match[str]) -> str:
        pkg, indent = match["pkg"], match["indent"]
        names = [n.strip() for n in match["names"].split("#")[0].split(",") if n.strip()]
        if not any(f"{pkg}.{n.split(' as ')[0].strip()}" in mapping for n in names):
            return match[0]
        groups: dict[str, list[str]] = {}
        for name in names:
            base, _, alias = name.partition(" as ")
            base, alias = base.strip(), alias.strip()
            new = mapping.get(f"{pkg}.{base}")
            if new is None:
                groups.setdefault(pkg, []).append(name)
                continue
            parent, _, leaf = new.rpartition(".")
            local = alias or base
            groups.setdefault(parent, []).append(leaf if leaf == local else f"{leaf} as {local}")
        return "\n".join(f"{indent}from {p} import {', '.join(ns)}" for p, ns in groups.items())

    return FROM_IMPORT.sub(fix, text)


def _dotted(match: re.Match[str], mapping: dict[str, str], new_names: list[str]) -> str:
    """An old name that starts an already rewritten one (`backend.openapi` in
    `backend.openapi.spec`: the old module is now a package) is left alone: re-runnable."""
    rest = match.string[match.start() :]
    for name in new_names:
        if (
            name != match[1]
            and name.startswith(match[1] + ".")
            and re.match(re.escape(name) + r"(?![\w])", rest)
        ):
            return match[1]
    return mapping[match[1]]


def rewrite(dry: bool) -> list[str]:
    mapping = module_map()
    dotted = sorted(mapping, key=len, reverse=True)
    new_names = sorted(set(mapping.values()), key=len, reverse=True)
    dotted_re = re.compile(r"(?<![\w.])(" + "|".join(re.escape(d) for d in dotted) + r")(?![\w])")
    paths = {o: n for o, n in MOVES.items() if n is not None}
    path_re = re.compile(
        r"(?<![\w/])(" + "|".join(re.escape(p) for p in sorted(paths, key=len, reverse=True)) + r")"
    )
    folder_re = re.compile(r"(?<![\w/])backend/chat/(?![\w.]*\.py)|(?<![\w.])backend\.chat\b")
    leftovers = []
    for path in git("ls-files").split():
        p = Path(path)
        if path.startswith(SKIP_PREFIXES) or not p.is_file():
            continue
        if (
            p.suffix not in TEXT_SUFFIXES
            and p.name not in {"Makefile"}
            and not p.name.startswith("Dockerfile")
        ):
            continue
        text = p.read_text()
        new = split_from_imports(text, mapping)
        new = dotted_re.sub(lambda m: _dotted(m, mapping, new_names), new)
        new = path_re.sub(lambda m: paths[m[1]], new)
        for lineno, line in enumerate(new.splitlines(), 1):
            if folder_re.search(line):
                leftovers.append(f"{path}:{lineno}: folder reference: {line.strip()[:100]}")
        if new != text:
            print(f"rewrote {path}")
            if not dry:
                p.write_text(new)
    return leftovers


def main() -> int:
    dry = "--dry-run" in sys.argv
    if not Path("backend").is_dir() or not Path("worker").is_dir():
        print("run me at the repo root", file=sys.stderr)
        return 1
    missing = unmapped()
    if missing:
        print("UNMAPPED modules under a dissolved folder (add a row to MOVES):", file=sys.stderr)
        for path in missing:
            print(f"  {path}", file=sys.stderr)
        return 2
    do_moves(dry)
    leftovers = rewrite(dry)
    for path, (before, after) in FIXUPS.items():
        file = Path(path)
        if not dry and file.exists() and before in file.read_text():
            file.write_text(file.read_text().replace(before, after))
            print(f"fixed the repository root in {path}")
    ruff = ".venv/bin/ruff" if Path(".venv/bin/ruff").exists() else shutil.which("ruff")
    if not dry and ruff is None:
        print("NO RUFF: run `make install`, then `ruff check --fix --select I . && ruff format .`")
    elif not dry:
        subprocess.run([ruff, "check", "--fix", "--select", "I", "-q", "."], check=False)
        subprocess.run([ruff, "format", "-q", "."], check=False)
    if leftovers:
        print("\nReferences to a dissolved folder left for a hand edit:")
        print("\n".join(leftovers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
