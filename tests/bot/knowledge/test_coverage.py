"""Coverage: every section of every source is cited by at least one knowledge entry."""

from click.testing import CliRunner

from bot import cli
from bot.knowledge.coverage import section_coverage, uncovered_sections
from bot.knowledge.loader import load_knowledge
from tests.conftest import TEST_DATA


def test_every_section_of_every_source_has_an_entry(knowledge):
    missing = [f"{row.citation} ({row.source}/{row.section})" for row in uncovered_sections(knowledge)]
    assert not missing, "sections no entry cites:\n" + "\n".join(missing)


def test_jtai_findings_are_listed_by_agency_and_kind(knowledge):
    jtai = [row.section for row in section_coverage(knowledge) if row.source == "jtai2017"]
    for expected in ("kf3-police-areas-for-development", "kf5-cafcass-good-practice", "kf2-kaq-probation"):
        assert expected in jtai


def test_coverage_reports_sections_without_entries():
    small = load_knowledge(TEST_DATA / "knowledge_min")
    rows = {(r.source, r.section): r.entries for r in section_coverage(small)}
    assert rows[("doc", "intro")] == ("what-is-marac",)
    assert rows[("plain", "kf1")] == ("children-definition",)


def test_coverage_command_exits_1_when_a_section_is_uncited(tmp_path):
    import shutil

    folder = tmp_path / "k"
    shutil.copytree(TEST_DATA / "knowledge_min", folder)
    sources = folder / "sources.yml"
    sources.write_text(sources.read_text().replace("      - {id: part, title: Part one, parent: intro}\n",
                                                   "      - {id: part, title: Part one, parent: intro}\n      - {id: lonely, title: Nobody cites me}\n"))
    result = CliRunner(mix_stderr=False).invoke(cli.cli, ["knowledge", "coverage", "--dir", str(folder), "--uncovered"])
    assert result.exit_code == 1
    assert result.output.startswith("doc/lonely\t0\tTest Doc (2020), 'Nobody cites me'")
    assert "3 of 4 sections are cited" in result.stderr
