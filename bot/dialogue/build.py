"""Building the router: the one place that lists the handlers, in the order they are asked.

Everything is read once per process from the settings: the knowledge store (entries and
sources), the wording, the vocabularies, the reflection, the scenarios and the directory.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Iterator

from bot.config import Settings, load_settings
from bot.dialogue.handler import Handler
from bot.dialogue.render import Renderer
from bot.dialogue.router import Router
from bot.dialogue.types import Message
from bot.dialogue.wording import load_messages
from bot.directory.handler import DirectoryHandler
from bot.feedback.handler import FeedbackHandler, database_counter
from bot.insight.events import Insight
from bot.knowledge.answering import Answering
from bot.knowledge.gaps import entry_text_of, known_text_of, load_gaps
from bot.knowledge.handlers import (
    AnswerHandler,
    ChosenEntryHandler,
    FollowUpHandler,
    KnowledgeTalk,
    KnownGapHandler,
    NotCoveredHandler,
    SmallTalkHandler,
    UnreadableHandler,
)
from bot.knowledge.loader import load_topics, load_vocabulary
from bot.knowledge.schema import Entry
from bot.knowledge.search import SearchIndex
from bot.knowledge.semantic import SemanticIndex
from bot.knowledge.store import make_engine, read_entries, read_sources
from bot.nlp.encoder import EmbeddingStore, SentenceEncoder, load_encoder
from bot.nlp.pipeline import analyser_for
from bot.reflection.handler import (
    OrientationFinisher,
    ReflectionHandler,
    ReflectionOfferHandler,
    ReflectionRequestHandler,
    ReflectionStartHandler,
    ReflectionTalk,
)
from bot.reflection.model import load_reflection
from bot.reflection.reading import encoder_similarity
from bot.safety.check import load_danger_check
from bot.safety.handler import SafetyHandler
from bot.scenarios.engine import EngineSource
from bot.scenarios.handler import PausedScenarioHandler, ScenarioPlayHandler, ScenarioRequestHandler
from bot.tailoring.handlers import (
    AgencyOfferFinisher,
    AgencyStatementHandler,
    AssuranceHandler,
    InContextHandler,
    SelfDescriptionFinisher,
    TailoringFinisher,
    load_tailoring_settings,
)
from bot.tailoring.tailoring import Tailoring

LOCAL_SUPPORT_TOPIC = "local_support"  # the knowledge topic on knowing the local offer


def build_router(settings: Settings) -> Router:
    """The router over the store and files ``settings`` name."""
    engine = make_engine(settings.database_url)
    insight = Insight(engine)  # one for every handler: a reply only tried holds its counts (events.trying)
    entries = {e.id: e for e in read_entries(engine)}
    if not entries:
        raise RuntimeError("The knowledge store is empty: run `bot knowledge load` first.")
    sources = read_sources(engine)
    analyser = analyser_for(settings.knowledge_dir)
    _, agencies, age_stages = load_vocabulary(settings.knowledge_dir)
    intent_topics = {intent: t.id for t in load_topics(settings.knowledge_dir).values() for intent in t.intents}
    messages = load_messages(settings.messages_file)
    renderer = Renderer(messages, sources, entries)
    encoder = load_encoder(settings.var_dir) if settings.encoder else None
    answering = Answering(SearchIndex(entries.values(), analyser), entries, intent_topics, messages,
                          _semantic(settings, entries, encoder))
    terms, _, _ = load_vocabulary(settings.knowledge_dir)
    gaps = load_gaps(settings.gaps_file, known_text_of(_knowledge_texts(entries, sources, terms, agencies, age_stages)))
    knowledge = KnowledgeTalk(answering, renderer, gaps, insight)
    reflection = ReflectionTalk(load_reflection(settings.reflection_file, tuple(sources.items())), renderer, analyser,
                                encoder_similarity(encoder.encode) if encoder is not None else None, insight=insight)
    tailoring = Tailoring(agencies, age_stages, answering, renderer)
    tailoring_settings = load_tailoring_settings(settings.tailoring_file)
    scenarios = EngineSource(settings.scenarios_dir, settings.knowledge_dir)
    danger = load_danger_check(settings.safety_file, encoder=encoder, cache_dir=settings.var_dir / "embeddings")
    handlers: list[Handler] = [
        # A vote on an answer ("Was this useful?") is a button, never part of a flow: it is counted
        # and thanked for before any flow could read it as an answer, and changes no state.
        FeedbackHandler(renderer, database_counter(engine)),
        # Flows under way come first: a scenario being played owns every message (its case
        # talk is part of the exercise, and each step carries the 999 line); then the 999 check.
        ScenarioPlayHandler(scenarios, insight),
        SafetyHandler(danger, renderer),
        PausedScenarioHandler(scenarios, insight),
        ReflectionHandler(reflection),
        ReflectionOfferHandler(reflection),
        # Then what the message is.
        UnreadableHandler(knowledge),
        ChosenEntryHandler(knowledge),
        ReflectionStartHandler(reflection),
        ReflectionRequestHandler(reflection),
        ScenarioRequestHandler(scenarios, analyser, insight),
        AgencyStatementHandler(tailoring, tailoring_settings),
        # Before small talk: a service's name ("Ty Diogel") can read as thanks to NLU; the directory
        # never claims greetings, thanks or yes/no.
        DirectoryHandler(engine, renderer, local_guidance=_guidance(answering, renderer, LOCAL_SUPPORT_TOPIC),
                         encoder=encoder, vectors_dir=settings.var_dir / "embeddings"),
        SmallTalkHandler(knowledge),
        FollowUpHandler(knowledge),
        NotCoveredHandler(knowledge),
        KnownGapHandler(knowledge),
        AssuranceHandler(tailoring, tailoring_settings),
        InContextHandler(tailoring, tailoring_settings),
        AnswerHandler(knowledge),
    ]
    return Router(
        handlers, renderer, analyser, danger.matches,
        after_answer=[OrientationFinisher(reflection), TailoringFinisher(tailoring)],
        after_turn=[SelfDescriptionFinisher(tailoring, tailoring_settings), AgencyOfferFinisher(tailoring)],
    )


def _semantic(settings: Settings, entries: dict[str, Entry], encoder: SentenceEncoder | None) -> SemanticIndex | None:
    """The entries' meaning index, unless the settings leave the encoder out."""
    if encoder is None:
        return None
    return SemanticIndex(entries.values(), encoder, EmbeddingStore(settings.var_dir / "embeddings" / "entries.npz", encoder))


def _knowledge_texts(entries, sources, terms, agencies, age_stages) -> Iterator[str]:
    """Every name the knowledge uses: entries, source titles and publishers, the vocabularies."""
    yield from (entry_text_of(e) for e in entries.values())
    for source in sources.values():
        yield " ".join([source.title, source.citation, source.publisher, *(s.title for s in source.sections)])
    yield from (" ".join(term.phrases) for term in terms)
    yield from (" ".join((item.label, *item.synonyms)) for item in (*agencies.values(), *age_stages.values()))


def _guidance(answering: Answering, renderer: Renderer, topic: str) -> Callable[[str], Message | None]:
    """The cited entry of ``topic`` that best matches a text (the directory shows it before
    asking for the area)."""

    def guidance(text: str) -> Message | None:
        entry = answering.best_in_topic(text, topic)
        return renderer.entry(entry) if entry is not None else None

    return guidance


@lru_cache(maxsize=1)
def get_router() -> Router:
    """The process-wide router, built on first use from the environment's settings."""
    return build_router(load_settings())
