"""Database benchmark: ``bot db upgrade`` on an empty database, and directory searches on PostgreSQL vs SQLite.

Run: .venv/bin/python -m benchmarks.db [--services N] [--queries N]
Uses the project's local PostgreSQL (``bot.runtime.services.LocalPostgres``, started if it is not
running) with a new database that is dropped afterwards, and a temporary SQLite file. The same
generated directory (benchmarks/directory_search.py: 50 areas, varied words, types, audiences and
ages) is imported into both, and the same requests are searched (no encoder: the database's part).
Prints the upgrade time, the import time, and p50/p95 of the full-text query alone and of a whole
search (reading the request aside) on each, and whether both found the same services. Their order
can differ among services that match by the same words: FTS5's bm25 weighs rare words and short
texts, PostgreSQL's ts_rank only the fields and the text's length.
"""

from __future__ import annotations

import argparse
import random
import secrets
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from benchmarks.directory_search import AREAS, REQUESTS, _percentiles, generate_package
from bot.config import load_settings
from bot.db import upgrade
from bot.directory.areas import AreaMatcher
from bot.directory.models import AreaRow
from bot.directory.query import Searcher, parse_request
from bot.directory.search import word_scores
from bot.directory.store import has_full_text, import_directory
from bot.knowledge.store import make_engine
from bot.runtime.services import LocalPostgres


def _upgrade_seconds(url: str) -> float:
    started = time.perf_counter()
    upgrade(url)
    return time.perf_counter() - started


def _searches(engine, texts: list[str]) -> tuple[list[float], list[float], list[tuple[int, tuple[str, ...]]]]:
    """Full-text query timings, whole-search timings (ms) and each search's total and ranked ids (the first 60)."""
    searcher, areas = Searcher(engine), AreaMatcher(engine)
    requests = [parse_request(text, areas) for text in texts]
    searcher.search(requests[0])  # the first search loads what searches share
    full_text, whole, ranked = [], [], []
    with engine.connect() as conn:
        ids = dict(conn.execute(select(AreaRow.name, AreaRow.id)).all())
        for request in requests:
            started = time.perf_counter()
            word_scores(conn, ids[request.area], request.words or ("support",), has_full_text(engine))
            full_text.append((time.perf_counter() - started) * 1000)
    for request in requests:
        started = time.perf_counter()
        result = searcher.search(request, limit=3)
        ranked.append((result.total, result.ranked))
        whole.append((time.perf_counter() - started) * 1000)
    return full_text, whole, ranked


def run(services: int, queries: int, echo=print) -> None:
    postgres = LocalPostgres(load_settings().var_dir)
    postgres.start()
    name = f"bench_{secrets.token_hex(4)}"
    rng = random.Random(13)
    texts = [rng.choice(REQUESTS).format(area=f"Area {rng.randrange(AREAS)}") for _ in range(queries)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "oruk"
        folder.mkdir()
        generate_package(folder, services)
        urls = {"SQLite": f"sqlite:///{Path(tmp) / 'bench.db'}", "PostgreSQL": postgres.create_database(name)}
        results = {}
        try:
            for label, url in urls.items():
                echo(f"{label}: bot db upgrade on an empty database {_upgrade_seconds(url) * 1000:.0f} ms")
                engine = make_engine(url)
                started = time.perf_counter()
                import_directory(engine, folder)
                echo(f"{label}: import of {services:,} services {time.perf_counter() - started:.1f} s")
                full_text, whole, results[label] = _searches(engine, texts)
                (ft50, ft95), (w50, w95) = _percentiles(full_text), _percentiles(whole)
                echo(f"{label}: full-text query p50 {ft50:.2f} ms, p95 {ft95:.2f} ms; "
                     f"whole search p50 {w50:.2f} ms, p95 {w95:.2f} ms ({queries} requests)")
                engine.dispose()
        finally:
            postgres.drop_database(name)
    pairs = list(zip(results["SQLite"], results["PostgreSQL"], strict=True))
    echo(f"Of {queries} requests, on both: as many services found {sum(a[0] == b[0] for a, b in pairs)}; "
         f"the same services (all, or the first 60) {sum(set(a[1]) == set(b[1]) for a, b in pairs)}; "
         f"in the same order {sum(a[1] == b[1] for a, b in pairs)}; "
         f"the same first three {sum(a[1][:3] == b[1][:3] for a, b in pairs)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    run(args.services, args.queries)


if __name__ == "__main__":
    main()
