"""Read the knowledge folder (YAML) into validated data classes.

Every problem is collected and reported with its file, entry and field, so an editor
can fix a whole file in one pass.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, TypeVar

from bot.knowledge.schema import (
    Entry,
    Knowledge,
    Section,
    Source,
    Step,
    Term,
    Topic,
    VocabularyItem,
    check_citation,
)
from bot.text.validation import ContentError, Problem, Report, read_yaml

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
SENTENCE_END = re.compile(r"[.!?](?:['\")\]]*)(?=\s|$)")
MIN_SENTENCES, MAX_SENTENCES = 2, 6
CITATION_STYLES = {"quoted", "plain"}
SECTION_FIELDS = {"id", "title", "parent"}
# An answer may be reached by wordings its author never saw, so it cannot open by agreeing or
# disagreeing. "No" followed by a word ("No agency owned it") is substance, not a reply.
YES_NO_OPENER = re.compile(r"^\W*(?:(?:yes|yeah|yep|yup|nope)\b|no\b(?=\s*(?:[^\w\s'\"‘’“”]|$)))", re.IGNORECASE)
STANDS_ALONE = "must start with the substance, not 'Yes'/'No' (it may be reached by other wordings)"
T = TypeVar("T")


class KnowledgeError(ContentError):
    """Raised when the knowledge folder does not validate; carries every problem found."""

    about = " in the knowledge files"


def count_sentences(text: str) -> int:
    return len(SENTENCE_END.findall(text.strip()))


class _Reader:
    """Collects problems while reading one folder."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def problem(self, path: Path, item: str, field: str, message: str) -> None:
        self.problems.append(Problem(self.rel(path), item, field, message))

    def at(self, path: Path, item: str = "") -> Report:
        """Reports problems at ``item`` of ``path``."""
        return lambda field, message: self.problem(path, item, field, message)

    def read_yaml(self, path: Path, top_key: str) -> list[dict[str, Any]]:
        before = len(self.problems)
        data = read_yaml(path, self.at(path))
        if len(self.problems) > before:
            return []
        if not isinstance(data, dict) or not isinstance(data.get(top_key), list):
            self.problem(path, "", top_key, f"expected a top-level '{top_key}:' list")
            return []
        items = []
        for index, item in enumerate(data[top_key], start=1):
            if isinstance(item, dict):
                items.append(item)
            else:
                self.problem(path, f"item {index}", "", "expected a mapping of fields")
        return items

    def text(self, path: Path, item: str, raw: dict, field: str, required: bool = True) -> str:
        value = raw.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(path, item, field, "is required and must not be empty")
            return ""
        if not isinstance(value, (str, int, float)):
            self.problem(path, item, field, "must be text")
            return ""
        return " ".join(str(value).split())

    def text_list(self, path: Path, item: str, raw: dict, field: str, required: bool = False) -> tuple[str, ...]:
        value = raw.get(field)
        if value is None:
            if required:
                self.problem(path, item, field, "is required: give at least one")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(path, item, field, "must be a list of non-empty texts")
            return ()
        if required and not value:
            self.problem(path, item, field, "is required: give at least one")
        return tuple(" ".join(v.split()) for v in value)

    def identifier(self, path: Path, item: str, raw: dict) -> str:
        value = raw.get("id")
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problem(path, item, "id", "must be lower-case letters, digits, '-' or '_'")
            return ""
        return value


def _read_keyed(reader: _Reader, path: Path, key: str, label: str, build: Callable[[str, str, dict], T],
                taken: str = "is used twice") -> dict[str, T]:
    """The items of the ``key:`` list in ``path`` by id, each made by ``build(id, item, raw)``."""
    items: dict[str, T] = {}
    for index, raw in enumerate(reader.read_yaml(path, key), start=1):
        iid = reader.identifier(path, f"{label} {index}", raw)
        item = f"{label} '{iid or index}'"
        built = build(iid, item, raw)
        if iid in items:
            reader.problem(path, item, "id", taken)
        elif iid:
            items[iid] = built
    return items


def _read_sources(reader: _Reader, path: Path) -> dict[str, Source]:
    def source(sid: str, item: str, raw: dict) -> Source:
        style = raw.get("style", "quoted")
        if style not in CITATION_STYLES:
            reader.problem(path, item, "style", f"must be one of {sorted(CITATION_STYLES)}")
        sections = _read_sections(reader, path, item, raw.get("sections"))
        return Source(
            id=sid,
            citation=reader.text(path, item, raw, "citation"),
            title=reader.text(path, item, raw, "title"),
            publisher=reader.text(path, item, raw, "publisher"),
            date=reader.text(path, item, raw, "date"),
            licence=reader.text(path, item, raw, "licence"),
            style=style,
            sections=sections,
        )

    return _read_keyed(reader, path, "sources", "source", source, taken="is used by another source")


def _read_sections(reader: _Reader, path: Path, item: str, raw_sections: Any) -> tuple[Section, ...]:
    if not isinstance(raw_sections, list) or not raw_sections:
        reader.problem(path, item, "sections", "is required: list the document's headings")
        return ()
    sections: list[Section] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_sections, start=1):
        if not isinstance(raw, dict):
            reader.problem(path, item, f"sections[{index}]", "expected a mapping with id and title")
            continue
        sid = reader.identifier(path, f"{item} section {index}", raw)
        unknown = [repr(str(key)) for key in raw if key not in SECTION_FIELDS]
        if unknown:
            reader.problem(path, item, f"sections[{index}]",
                           f"unknown field {', '.join(unknown)} (quote a title that contains a comma)")
        if sid in seen:
            reader.problem(path, item, f"sections[{index}].id", f"'{sid}' is used twice")
        seen.add(sid)
        title = reader.text(path, f"{item} section '{sid}'", raw, "title")
        sections.append(Section(id=sid, title=title, parent=raw.get("parent")))
    for section in sections:
        if section.parent and section.parent not in seen:
            reader.problem(path, item, f"section '{section.id}'.parent", f"unknown section '{section.parent}'")
    return tuple(sections)


def _read_vocabulary(reader: _Reader, path: Path, key: str) -> dict[str, VocabularyItem]:
    def vocabulary_item(vid: str, item: str, raw: dict) -> VocabularyItem:
        return VocabularyItem(
            id=vid,
            label=reader.text(path, item, raw, "label"),
            synonyms=reader.text_list(path, item, raw, "synonyms"),
            group=raw.get("group"),
            years=_years(reader, path, item, raw.get("years")),
        )

    return _read_keyed(reader, path, key, key, vocabulary_item)


def _years(reader: _Reader, path: Path, item: str, raw) -> tuple[int, int] | None:
    if raw is None:
        return None
    if (not isinstance(raw, list) or len(raw) != 2 or not all(isinstance(y, int) and not isinstance(y, bool) for y in raw)
            or not 0 <= raw[0] <= raw[1] < 30):
        reader.problem(path, item, "years", "must be [youngest, oldest] in whole years, e.g. [5, 11]")
        return None
    return (raw[0], raw[1])


def _read_topics(reader: _Reader, path: Path) -> dict[str, Topic]:
    def topic(tid: str, item: str, raw: dict) -> Topic:
        return Topic(
            id=tid, label=reader.text(path, item, raw, "label"), intents=reader.text_list(path, item, raw, "intents"),
        )

    return _read_keyed(reader, path, "topics", "topic", topic)


def _read_terms(reader: _Reader, path: Path) -> list[Term]:
    def term(tid: str, item: str, raw: dict) -> Term:
        return Term(
            id=tid,
            label=reader.text(path, item, raw, "label"),
            name=reader.text(path, item, raw, "name"),
            synonyms=reader.text_list(path, item, raw, "synonyms"),
        )

    return list(_read_keyed(reader, path, "terms", "term", term).values())


def _read_entry(reader: _Reader, path: Path, index: int, raw: dict, sources: Mapping[str, Source]) -> Entry:
    eid = reader.identifier(path, f"entry {index}", raw)
    item = f"entry '{eid or index}'"
    answer = reader.text(path, item, raw, "answer")
    if answer:
        sentences = count_sentences(answer)
        if not MIN_SENTENCES <= sentences <= MAX_SENTENCES:
            limits = f"a short answer has {MIN_SENTENCES}-{MAX_SENTENCES} (put more in 'detail')"
            reader.problem(path, item, "answer", f"has {sentences} sentence(s); {limits}")
    detail = reader.text(path, item, raw, "detail", required=False)
    for field, text in (("answer", answer), ("detail", detail)):
        if YES_NO_OPENER.match(text):
            reader.problem(path, item, field, STANDS_ALONE)
    report = reader.at(path, item)
    raw_citations = raw.get("citations")
    if not isinstance(raw_citations, list) or not raw_citations:
        reader.problem(path, item, "citations", "is required: every entry cites at least one source section")
        raw_citations = []
    cited = (check_citation(c, f"citations[{i}]", sources, report) for i, c in enumerate(raw_citations, start=1))
    citations = [c for c in cited if c]
    return Entry(
        steps=_read_steps(reader, path, item, raw.get("steps"), sources),
        id=eid,
        topic=reader.text(path, item, raw, "topic"),
        title=reader.text(path, item, raw, "title"),
        questions=reader.text_list(path, item, raw, "questions", required=True),
        answer=answer,
        citations=tuple(citations),
        keywords=reader.text_list(path, item, raw, "keywords"),
        detail=detail,
        agencies=reader.text_list(path, item, raw, "agencies"),
        age_stages=reader.text_list(path, item, raw, "age_stages"),
        related=reader.text_list(path, item, raw, "related"),
    )


def _read_steps(reader: _Reader, path: Path, item: str, raw_steps, sources: Mapping[str, Source]) -> tuple[Step, ...]:
    if raw_steps is None:
        return ()
    if not isinstance(raw_steps, list) or not raw_steps:
        reader.problem(path, item, "steps", "must be a list of {text, source, section}")
        return ()
    steps = []
    for index, raw in enumerate(raw_steps, start=1):
        field = f"steps[{index}]"
        if not isinstance(raw, dict):
            reader.problem(path, item, field, "must be a mapping with text, source and section")
            continue
        text = reader.text(path, item, raw, "text")
        citation = check_citation(raw, field, sources, reader.at(path, item))
        if text and citation:
            steps.append(Step(text, citation))
    return tuple(steps)


def _check_references(reader: _Reader, knowledge: Knowledge, origins: dict[str, Path]) -> None:
    for entry in knowledge.entries.values():
        path, item = origins[entry.id], f"entry '{entry.id}'"
        if entry.topic and entry.topic not in knowledge.topics:
            reader.problem(path, item, "topic", f"unknown topic '{entry.topic}' (see vocabulary.yml)")
        _check_known(reader, path, item, "agencies", entry.agencies, knowledge.agencies)
        _check_known(reader, path, item, "age_stages", entry.age_stages, knowledge.age_stages)
        _check_known(reader, path, item, "related", entry.related, knowledge.entries)
        if entry.id in entry.related:
            reader.problem(path, item, "related", "an entry cannot be related to itself")


def _check_known(reader: _Reader, path: Path, item: str, field: str, values: Iterable[str], known: dict) -> None:
    for value in values:
        if value not in known:
            reader.problem(path, item, field, f"unknown id '{value}'")


def load_knowledge(knowledge_dir: Path) -> Knowledge:
    """Read and validate the whole knowledge folder; raise KnowledgeError listing every problem."""
    knowledge_dir = Path(knowledge_dir)
    reader = _Reader(knowledge_dir)
    vocabulary = knowledge_dir / "vocabulary.yml"
    knowledge = Knowledge(
        sources=_read_sources(reader, knowledge_dir / "sources.yml"),
        entries={},
        topics=_read_topics(reader, vocabulary),
        agencies=_read_vocabulary(reader, vocabulary, "agencies"),
        age_stages=_read_vocabulary(reader, vocabulary, "age_stages"),
        terms=_read_terms(reader, knowledge_dir / "terms.yml"),
    )
    origins: dict[str, Path] = {}
    entry_files = sorted((knowledge_dir / "entries").glob("*.yml"))
    if not entry_files:
        reader.problem(knowledge_dir / "entries", "", "", "no entry files (*.yml) found")
    for path in entry_files:
        for index, raw in enumerate(reader.read_yaml(path, "entries"), start=1):
            entry = _read_entry(reader, path, index, raw, knowledge.sources)
            if not entry.id:
                continue
            if entry.id in knowledge.entries:
                reader.problem(path, f"entry '{entry.id}'", "id", f"is already used in {reader.rel(origins[entry.id])}")
                continue
            knowledge.entries[entry.id] = entry
            origins[entry.id] = path
    _check_references(reader, knowledge, origins)
    if reader.problems:
        raise KnowledgeError(reader.problems)
    return knowledge


def load_vocabulary(knowledge_dir: Path) -> tuple[list[Term], dict[str, VocabularyItem], dict[str, VocabularyItem]]:
    """Read only the terms and vocabularies (for the NLU pipeline, which needs no entries)."""
    knowledge_dir = Path(knowledge_dir)
    reader = _Reader(knowledge_dir)
    vocabulary = knowledge_dir / "vocabulary.yml"
    terms = _read_terms(reader, knowledge_dir / "terms.yml")
    agencies = _read_vocabulary(reader, vocabulary, "agencies")
    age_stages = _read_vocabulary(reader, vocabulary, "age_stages")
    if reader.problems:
        raise KnowledgeError(reader.problems)
    return terms, agencies, age_stages


def load_topics(knowledge_dir: Path) -> dict[str, Topic]:
    """Read only the topics (question families) and the intents that map to them."""
    knowledge_dir = Path(knowledge_dir)
    reader = _Reader(knowledge_dir)
    topics = _read_topics(reader, knowledge_dir / "vocabulary.yml")
    if reader.problems:
        raise KnowledgeError(reader.problems)
    return topics
