"""Directory benchmark: import speed for 100,000 generated services in ORUK CSV form, and query latency.

Run: .venv/bin/python -m benchmarks.directory [--services N] [--queries N]
Goals: at least 5,000 services per second into SQLite; query p95 under 10 ms at 100,000 services.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.directory.query import find_services
from bot.directory.store import import_directory
from bot.directory.taxonomy import load_taxonomy
from bot.knowledge.store import make_engine

AREAS = 50
ORGANISATIONS = 1000


@dataclass(frozen=True)
class Figures:
    services: int
    import_seconds: float
    services_per_second: float
    query_p50_ms: float
    query_p95_ms: float
    queries: int


def _write(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def generate_package(folder: Path, services: int, seed: int = 7) -> None:
    """An ORUK CSV folder of ``services`` invented services over 50 areas, with terms, areas and phones."""
    rng = random.Random(seed)
    terms = [t.oruk_terms[0] for t in load_taxonomy().types.values()]
    _write(folder / "organizations.csv", ["id", "name", "description"],
           ((f"org-{i}", f"Organisation {i}", "An invented organisation.") for i in range(ORGANISATIONS)))
    _write(folder / "taxonomy_terms.csv", ["id", "name", "description", "taxonomy"],
           ((f"term-{i}", name, name, "bench") for i, name in enumerate(terms)))
    _write(folder / "services.csv",
           ["id", "organization_id", "name", "description", "url", "email", "status", "minimum_age", "maximum_age"],
           ((f"svc-{i}", f"org-{i % ORGANISATIONS}", f"Service {i}", "Support for families in the area.",
             f"https://www.example.org/s/{i}", f"s{i}@example.org", "active",
             *rng.choice([("", ""), ("0", "17"), ("16", ""), ("5", "11"), ("13", "17"), ("18", "")]))
            for i in range(services)))
    _write(folder / "service_areas.csv", ["id", "service_id", "name"],
           ((f"sa-{i}", f"svc-{i}", f"Area {i % AREAS}") for i in range(services)))
    _write(folder / "contacts.csv", ["id", "service_id", "name"], ((f"c-{i}", f"svc-{i}", "Desk") for i in range(services)))
    _write(folder / "phones.csv", ["id", "contact_id", "number"],
           ((f"p-{i}", f"c-{i}", f"01632 960{i % 1000:03d}") for i in range(services)))
    _write(folder / "attributes.csv", ["id", "link_id", "taxonomy_term_id", "link_type"],
           ((f"at-{i}-{k}", f"svc-{i}", f"term-{rng.randrange(len(terms))}", "service")
            for i in range(services) for k in range(1 + i % 2)))


def run(services: int = 100_000, queries: int = 1000, echo=print) -> Figures:
    taxonomy = load_taxonomy()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "oruk"
        folder.mkdir()
        echo(f"Generating {services:,} services in ORUK CSV form...")
        generate_package(folder, services)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        started = time.perf_counter()
        report = import_directory(engine, folder)
        seconds = time.perf_counter() - started
        rng = random.Random(11)
        needs = list(taxonomy.types)
        timings = []
        for _ in range(queries):
            area = f"Area {rng.randrange(AREAS)}"
            chosen = tuple(rng.sample(needs, rng.choice([0, 1, 1, 2])))
            age = rng.choice([None, None, 7, 15, (13, 17)])
            audience = rng.choice([None, "child", "adult_victim"])
            t0 = time.perf_counter()
            find_services(engine, area, chosen, age, audience, offset=rng.choice([0, 0, 3]), limit=3)
            timings.append((time.perf_counter() - t0) * 1000)
        engine.dispose()
    timings.sort()
    return Figures(
        services=report.services, import_seconds=seconds, services_per_second=report.services / seconds,
        query_p50_ms=statistics.median(timings), query_p95_ms=timings[int(len(timings) * 0.95) - 1], queries=queries,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    figures = run(args.services, args.queries)
    print(f"Import: {figures.services:,} services in {figures.import_seconds:.1f} s = "
          f"{figures.services_per_second:,.0f} services/s (goal >= 5,000)")
    print(f"Query over {figures.services:,} services ({figures.queries} queries): p50 {figures.query_p50_ms:.2f} ms, "
          f"p95 {figures.query_p95_ms:.2f} ms (goal < 10 ms)")


if __name__ == "__main__":
    main()
