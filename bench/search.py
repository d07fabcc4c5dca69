"""Search at scale (issue 15's target): 1,000,000 messages in 1,000 rooms, two-word queries.

Builds the data set in a scratch PostgreSQL database migrated like production (the generated
`tsvector` column and its GIN index included), starts a gateway on it, and asks
`GET /api/v1/search` as one user who is a member of `--my-rooms` rooms, one query at a time.

    .venv/bin/python -m bench.search [--messages 1000000] [--rooms 1000] [--queries 400]

Message bodies are 4-20 words drawn from a Zipf-distributed vocabulary of 20,000 made-up words
(rank 1 is as common as "the" in English, rank 1000 as a topical word); queries are two words
drawn from the same distribution, as people type them. Prints p50/p95/p99 of the HTTP round
trip and the result counts. `--keep` keeps the data set; `--reuse URL` searches it again.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

import aiohttp
import asyncpg

from tests.support.clients import Api
from tests.support.procs import Cluster, migrate
from tests.support.services import REDIS_BASE, create_database, drop_database

VOCABULARY = 20_000
MEMBERS_PER_ROOM = 10
USERS = 500
SEED = 15
PASSWORD = "searching for words"
MESSAGE_COLUMNS = [
    *("room_id", "seq", "sender_id", "body", "source", "client_msg_id", "created_at"),
    *("deleted", "reply_count"),
]


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Made-up pronounceable words and their cumulative Zipf weights (s = 1.07, as English)."""
    consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
    words: set[str] = set()
    while len(words) < VOCABULARY:
        n = rng.randint(1, 4)
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(n)))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered, list(accumulate(1 / (rank**1.07) for rank in range(1, VOCABULARY + 1)))


async def build(db_url: str, args: argparse.Namespace, searcher_id: int) -> dict[str, float]:
    rng = random.Random(SEED)
    words, weights = vocabulary(rng)
    conn = await asyncpg.connect(db_url)
    try:
        now = datetime.now(UTC)
        started = time.monotonic()
        user_ids = await conn.fetch(
            "INSERT INTO users (username, display_name, password_hash, recovery_hash,"
            " session_version, created_at) SELECT 'bench' || g, 'Bench ' || g, 'x', 'x', 0, $1"
            " FROM generate_series(1, $2) g RETURNING id",
            now,
            USERS,
        )
        people = [int(r["id"]) for r in user_ids]
        room_ids = [
            int(r["id"])
            for r in await conn.fetch(
                "INSERT INTO rooms (kind, name, topic, last_seq, created_at, last_activity_at)"
                " SELECT 'private', 'room ' || g, '', $2, $1, $1"
                " FROM generate_series(1, $3) g RETURNING id",
                now,
                args.messages // args.rooms,
                args.rooms,
            )
        ]
        members: dict[int, list[int]] = {}
        for i, room in enumerate(room_ids):
            group = rng.sample(people, MEMBERS_PER_ROOM)
            if i < args.my_rooms:
                group[0] = searcher_id
            members[room] = group
        await conn.copy_records_to_table(
            "memberships",
            records=[
                (room, user, 0, now, "member", True)
                for room, group in members.items()
                for user in group
            ],
            columns=["room_id", "user_id", "last_read_seq", "joined_at", "role", "accepted"],
        )
        # The GIN index is built once after the copy (as a restore would), not row by row.
        await conn.execute("DROP INDEX idx_messages_search")
        per_room = args.messages // args.rooms
        start = now - timedelta(days=365)
        batch: list[tuple[object, ...]] = []
        for n in range(per_room):
            for room in room_ids:
                text = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(4, 20)))
                sender = members[room][n % MEMBERS_PER_ROOM]
                at = start + timedelta(seconds=len(batch) + n * args.rooms)
                batch.append((room, n + 1, sender, text, text, f"b-{room}-{n}", at, False, 0))
            if len(batch) >= 100_000 or n == per_room - 1:
                await conn.copy_records_to_table(
                    "messages",
                    records=batch,
                    columns=MESSAGE_COLUMNS,
                )
                batch = []
        copied = time.monotonic()
        await conn.execute('CREATE INDEX "idx_messages_search" ON "messages" USING GIN ("search")')
        indexed = time.monotonic()
        await conn.execute("VACUUM ANALYZE")
        return {
            "copy_s": round(copied - started, 1),
            "gin_index_s": round(indexed - copied, 1),
            "words": float(len(words)),
        }
    finally:
        await conn.close()


async def searcher_token(url: str, db_url: str) -> str:
    """A kept data set's searcher (the one registered user: the others were copied in)."""
    conn = await asyncpg.connect(db_url)
    try:
        username = await conn.fetchval("SELECT username FROM users ORDER BY id LIMIT 1")
    finally:
        await conn.close()
    async with aiohttp.ClientSession() as http:
        body = {"username": username, "password": PASSWORD}
        async with http.post(f"{url}/api/v1/auth/login", json=body) as resp:
            return str((await resp.json())["access_token"])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(url: str, token: str, args: argparse.Namespace) -> None:
    rng = random.Random(SEED + 1)
    words, weights = vocabulary(random.Random(SEED))
    queries = [" ".join(rng.choices(words, cum_weights=weights, k=2)) for _ in range(args.queries)]
    headers = {"Authorization": f"Bearer {token}"}
    http_ms: list[float] = []
    found: list[int] = []
    async with aiohttp.ClientSession(headers=headers) as http:
        for q in queries[:20]:  # warm the connection pool and PostgreSQL's cache
            async with http.get(f"{url}/api/v1/search", params={"q": q}) as resp:
                await resp.read()
        for q in queries:
            t = time.perf_counter()
            async with http.get(f"{url}/api/v1/search", params={"q": q}) as resp:
                body = await resp.json()
                assert resp.status == 200, body
            http_ms.append((time.perf_counter() - t) * 1000)
            found.append(len(body["results"]))
    print(
        f"GET /api/v1/search ({len(queries)} two-word queries, one at a time):"
        f" p50 {percentile(http_ms, 50):.1f} ms, p95 {percentile(http_ms, 95):.1f} ms,"
        f" p99 {percentile(http_ms, 99):.1f} ms, max {max(http_ms):.1f} ms"
    )
    print(
        f"results per query: mean {statistics.mean(found):.1f}, with none"
        f" {sum(1 for n in found if n == 0)} of {len(found)}"
    )


async def main(args: argparse.Namespace) -> None:
    db = args.reuse or await create_database(prefix="chatty_search")
    if not args.reuse:
        migrate(db)
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster.distributed(
            Path(tmp),
            database_url=db,
            redis_url=f"{REDIS_BASE}/12",
            CHATTY_READ_RATE="100000",
            CHATTY_READ_BURST="100000",
        )
        try:
            node = cluster.gateway()
            if args.reuse:
                token = await searcher_token(node.url, db)
            else:
                async with aiohttp.ClientSession() as http:
                    me = await Api(node.url, http).register(password=PASSWORD)
                token = me.token
                built = await build(db, args, me.id)
                print(
                    f"data set: {args.messages:,} messages in {args.rooms:,} rooms,"
                    f" {MEMBERS_PER_ROOM} members each; the searcher is in {args.my_rooms} rooms"
                    f" ({args.messages // args.rooms * args.my_rooms:,} messages);"
                    f" copied in {built['copy_s']} s, GIN index built in {built['gin_index_s']} s"
                )
            await measure(node.url, token, args)
        finally:
            cluster.stop()
            if not (args.keep or args.reuse):
                await drop_database(db)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--rooms", type=int, default=1_000)
    parser.add_argument("--my-rooms", type=int, default=50)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", metavar="DATABASE_URL", help="search a kept data set again")
    asyncio.run(main(parser.parse_args()))
