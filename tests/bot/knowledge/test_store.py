"""The SQL knowledge store: loading replaces content in one transaction and reads back intact."""

import shutil

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import EntryCitationRow, EntryRow, SectionRow
from bot.knowledge.store import count_entries, make_engine, read_entries, read_sources, save_knowledge
from tests.conftest import TEST_DATA


@pytest.fixture
def engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path / 'db' / 'knowledge.db'}")


@pytest.fixture
def small():
    return load_knowledge(TEST_DATA / "knowledge_min")


def test_load_writes_every_row_and_reads_back_equal(engine, small):
    report = save_knowledge(engine, small)
    assert (report.sources, report.sections, report.entries) == (2, 3, 2)
    assert report.added == ("children-definition", "what-is-marac")
    assert read_entries(engine) == sorted(small.entries.values(), key=lambda e: e.id)
    assert read_sources(engine)["doc"].cite("part") == "Test Doc (2020), 'Introduction', 'Part one'"
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(SectionRow)) == 3
        citations = session.scalars(select(EntryCitationRow).where(EntryCitationRow.entry_id == "children-definition"))
        assert [(c.source_id, c.section_id) for c in citations] == [("plain", "kf1"), ("doc", "part")]


def test_reload_reports_added_changed_and_removed(engine, small, tmp_path):
    save_knowledge(engine, small)
    folder = tmp_path / "k"
    shutil.copytree(TEST_DATA / "knowledge_min", folder)
    entries = folder / "entries" / "basic.yml"
    text = entries.read_text().replace("It rarely plans for the children.", "It rarely plans for children.")
    text = text.replace("    related: [children-definition]\n", "")
    text = text.split("  - id: children-definition")[0]
    text += (
        "  - id: new-entry\n    topic: marac\n    title: New\n    questions: [\"new?\"]\n"
        "    answer: First. Second.\n    citations:\n      - {source: doc, section: intro}\n"
    )
    entries.write_text(text)
    report = save_knowledge(engine, load_knowledge(folder))
    assert report.added == ("new-entry",)
    assert report.changed == ("what-is-marac",)
    assert report.removed == ("children-definition",)
    assert [e.id for e in read_entries(engine)] == ["new-entry", "what-is-marac"]


def test_a_failed_load_changes_nothing(engine, small, monkeypatch):
    save_knowledge(engine, small)
    broken = load_knowledge(TEST_DATA / "knowledge_min")
    from bot.knowledge import store

    original = store._entry_row

    def failing(entry):
        if entry.id == "what-is-marac":
            raise RuntimeError("disk full")
        return original(entry)

    monkeypatch.setattr(store, "_entry_row", failing)
    with pytest.raises(RuntimeError):
        save_knowledge(engine, broken)
    assert count_entries(engine) == 2
    with Session(engine) as session:
        assert session.get(EntryRow, "what-is-marac").answer.startswith("A MARAC is a meeting")


def test_project_knowledge_round_trips(engine, knowledge):
    save_knowledge(engine, knowledge)
    stored = {e.id: e for e in read_entries(engine)}
    assert stored.keys() == knowledge.entries.keys()
    for entry_id, entry in knowledge.entries.items():
        assert stored[entry_id].answer == entry.answer
        assert stored[entry_id].citations == entry.citations
