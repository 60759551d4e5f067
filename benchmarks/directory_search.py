"""Directory search benchmark: the full-text query and a whole local-services turn over 100,000 services.

Run: .venv/bin/python -m benchmarks.directory_search [--services N] [--queries N] [--no-encoder]
Goals at 100,000 services: full-text query p95 under 10 ms; a whole local-services turn (reading the
request, finding the area, searching, re-ranking the best 200 by meaning, writing the reply) p95
under 60 ms.

The services are generated (50 areas, varied descriptions, types, audiences and ages) and imported
as an ORUK CSV package. A turn encodes the request with the real sentence encoder (unless
``--no-encoder``); the services' vectors are filled in beforehand, as they are once the assistant
has met them (``ServiceVectors.warm``) - with random unit vectors, because encoding 100,000 texts
takes longer than the benchmark itself, and the re-ranking costs the same whatever the vectors hold.
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

import numpy as np
from sqlalchemy import select

from bot.config import PROJECT_ROOT, load_settings
from bot.dialogue.render import Renderer
from bot.dialogue.state import ConversationState
from bot.dialogue.types import Turn
from bot.dialogue.wording import load_messages
from bot.directory.areas import AreaMatcher
from bot.directory.handler import DirectoryHandler
from bot.directory.models import AreaRow, ServiceRow
from bot.directory.query import read_request
from bot.directory.search import word_scores
from bot.directory.spelling import tokens
from bot.directory.store import import_directory
from bot.directory.taxonomy import AUDIENCE_TAXONOMY, load_taxonomy
from bot.directory.vectors import service_text, text_key
from bot.knowledge.loader import load_knowledge
from bot.knowledge.store import make_engine
from bot.nlp.encoder import DIMENSIONS
from bot.nlp.pipeline import analyser_for

AREAS = 50
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
WHAT = ["One-to-one support", "A weekly group", "Counselling", "Advocacy and safety planning", "Safe accommodation",
        "A behaviour change course", "Play therapy", "A confidential helpline", "Free legal advice", "Outreach visits",
        "Extra home security", "Parenting support", "Drop-in sessions", "Specialist advice"]
WHO = ["for adults experiencing domestic abuse", "for children who have lived with violence at home",
       "for teenagers in controlling relationships", "for men who have been abusive to a partner",
       "for young people who are violent towards a parent", "for parents and babies", "for families",
       "for women and their children leaving home", "for anyone affected by abuse", "for older people"]
HOW = ["with safety planning", "in several languages", "including evenings", "at the community centre",
       "through the courts", "with a key worker", "after school", "at home", "by phone and online", ""]
AUDIENCES = ["adult_victim", "child", "adult_causing_harm", "young_person_causing_harm", "", "", ""]
AGES = [("", ""), ("0", "17"), ("16", ""), ("5", "11"), ("13", "17"), ("18", ""), ("0", "4")]
REQUESTS = [  # {area} is filled in; written for this benchmark
    "refuge for a mum and her two children in {area}", "anything for a 14 year old in {area}?",
    "perpetrator programme near {area}", "{area} - counselling for a 7 year old who saw violence at home",
    "support for dads who are violent at home in {area}", "legal advice for mum in {area}",
    "gambling support in {area}", "what is available in {area}?", "IDVA in {area}",
    "somewhere safe for a dad and his son in {area}", "teenager controlled by her boyfriend, {area}",
    "drop-in sessions in several languages in {area}",
]


@dataclass(frozen=True)
class Figures:
    services: int
    queries: int
    full_text_p50_ms: float
    full_text_p95_ms: float
    turn_p50_ms: float
    turn_p95_ms: float
    encoder: bool


def _write(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def generate_package(folder: Path, services: int, seed: int = 5) -> None:
    """An ORUK CSV folder of ``services`` invented services over 50 areas, with varied words and audiences."""
    rng = random.Random(seed)
    taxonomy = load_taxonomy()
    terms = [t.oruk_terms[0] for t in taxonomy.types.values()]
    rows, areas, attributes = [], [], []
    for i in range(services):
        description = f"{rng.choice(WHAT)} {rng.choice(WHO)} {rng.choice(HOW)}".strip() + "."
        rows.append((f"svc-{i}", f"Service {i}", description, f"https://www.example.org/s/{i}", f"s{i}@example.org",
                     "active", *rng.choice(AGES)))
        areas.append((f"sa-{i}", f"svc-{i}", f"Area {i % AREAS}"))
        attributes.append((f"at-{i}-t", f"svc-{i}", f"term-{rng.randrange(len(terms))}", "service"))
        audience = rng.choice(AUDIENCES)
        if audience:
            attributes.append((f"at-{i}-a", f"svc-{i}", f"aud-{audience}", "service"))
    audience_terms = [(f"aud-{a}", taxonomy.audience_label(a), a, AUDIENCE_TAXONOMY) for a in set(AUDIENCES) if a]
    _write(folder / "taxonomy_terms.csv", ["id", "name", "term", "taxonomy"],
           [(f"term-{i}", name, name, "bench") for i, name in enumerate(terms)] + audience_terms)
    _write(folder / "services.csv", ["id", "name", "description", "url", "email", "status", "minimum_age",
                                     "maximum_age"], rows)
    _write(folder / "service_areas.csv", ["id", "service_id", "name"], areas)
    _write(folder / "attributes.csv", ["id", "link_id", "taxonomy_term_id", "link_type"], attributes)


def fill_vectors(engine, vectors, seed: int = 3) -> int:
    """Give every stored service a (random, unit) vector, as ``warm`` would give it a real one."""
    with engine.connect() as conn:
        rows = conn.execute(select(ServiceRow.name, ServiceRow.description, ServiceRow.eligibility)).all()
    keys = list(dict.fromkeys(text_key(service_text(*row)) for row in rows))
    matrix = np.random.default_rng(seed).standard_normal((len(keys), DIMENSIONS)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    vectors.remember(dict(zip(keys, matrix, strict=True)))
    return len(keys)


def _percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def run(services: int = 100_000, queries: int = 300, use_encoder: bool = True, echo=print) -> Figures:
    knowledge = load_knowledge(KNOWLEDGE_DIR)
    renderer = Renderer(load_messages(KNOWLEDGE_DIR / "messages.yml"), knowledge.sources, knowledge.entries)
    analyser = analyser_for(KNOWLEDGE_DIR)
    encoder = None
    if use_encoder:
        from bot.nlp.encoder import load_encoder

        encoder = load_encoder(load_settings().var_dir)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "oruk"
        folder.mkdir()
        echo(f"Generating and importing {services:,} services...")
        generate_package(folder, services)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        import_directory(engine, folder)
        handler = DirectoryHandler(engine, renderer, lambda text: None, encoder=encoder)
        vectors = handler.replies.searcher.vectors
        if vectors is not None:
            echo(f"Filled in {fill_vectors(engine, vectors):,} service vectors.")
        rng = random.Random(13)
        texts = [rng.choice(REQUESTS).format(area=f"Area {rng.randrange(AREAS)}") for _ in range(queries)]
        full_text = _full_text_timings(engine, handler, texts)
        _turn(handler, analyser, texts[0], encoder)  # the first turn loads what turns share
        turns = [_turn(handler, analyser, text, encoder) for text in texts]
        engine.dispose()
    return Figures(services, queries, *_percentiles(full_text), *_percentiles(turns), encoder is not None)


def _full_text_timings(engine, handler: DirectoryHandler, texts: list[str]) -> list[float]:
    """The full-text query alone, for each request's words, in its area."""
    areas = AreaMatcher(engine)
    timings = []
    with engine.connect() as conn:
        ids = dict(conn.execute(select(AreaRow.name, AreaRow.id)).all())
        for text in texts:
            match = areas.match(text)
            assert match is not None and match.sure, text
            request = read_request(text, match.area, frozenset(tokens(match.area)) | frozenset(match.words),
                                   handler.reader)
            started = time.perf_counter()
            word_scores(conn, ids[match.area], request.words or ("support",), True)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _turn(handler: DirectoryHandler, analyser, text: str, encoder=None) -> float:
    """A whole local-services turn as the router runs it: analysis, the handler's check and its reply.
    The encoder's memory of recent texts is emptied first: in a conversation each message is new."""
    if encoder is not None:
        encoder._cache.clear()
    started = time.perf_counter()
    turn = Turn(text=text, intent="ask_local_services", confidence=0.9, state=ConversationState(notice_given=True))
    turn = turn.with_(analysis=analyser(text))
    claim = handler.check(turn)
    assert claim is not None, text
    reply = handler.handle(turn, claim, chain=None)  # type: ignore[arg-type]
    assert reply.messages
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-encoder", action="store_true", help="rank without closeness in meaning")
    args = parser.parse_args()
    figures = run(args.services, args.queries, not args.no_encoder)
    print(f"Full-text query over {figures.services:,} services ({figures.queries} queries): "
          f"p50 {figures.full_text_p50_ms:.2f} ms, p95 {figures.full_text_p95_ms:.2f} ms (goal < 10 ms)")
    print(f"Whole local-services turn{' with re-ranking by meaning' if figures.encoder else ''}: "
          f"p50 {figures.turn_p50_ms:.1f} ms, p95 {figures.turn_p95_ms:.1f} ms (goal < 60 ms)")


if __name__ == "__main__":
    main()
