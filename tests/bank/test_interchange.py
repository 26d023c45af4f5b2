"""QTI 3.0 and Moodle XML: round trips, other systems' files, and hostile input."""

import io
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from app.bank.content import check_bank
from app.bank.interchange import InterchangeError, moodle, qti
from app.bank.services import import_bank
from app.models import Item, ItemStatus

SAMPLES = Path(__file__).with_name("samples")
FIELDS = ("kss", "also_kss", "tier", "kind", "scenario", "stage", "type", "difficulty", "stem", "key", "references")


def same(spec, external):
    assert external.source_id == spec.id
    for name in FIELDS:
        assert getattr(external, name) == getattr(spec, name), name
    assert external.options == [option.model_dump() for option in spec.options]


def test_qti_round_trip_gives_the_same_items(bank):
    checked = check_bank(bank)
    items, skipped = qti.read_package(qti.export_package(checked.items, checked.scenarios))
    assert skipped == []
    for spec, external in zip(checked.items, items, strict=True):
        same(spec, external)


def test_qti_package_follows_the_specification(bank):
    checked = check_bank(bank)
    archive = zipfile.ZipFile(io.BytesIO(qti.export_package(checked.items, checked.scenarios)))
    manifest = archive.read("imsmanifest.xml").decode()
    assert 'xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"' in manifest
    assert 'type="imsqti_item_xmlv3p0"' in manifest and 'type="imsqti_stimulus_xmlv3p0"' in manifest
    single = archive.read("items/prac-9001.xml").decode()
    assert 'xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"' in single
    assert "rptemplates/match_correct.xml" in single and "qti-assessment-stimulus-ref" in single
    multiple = archive.read("items/prac-9002.xml").decode()
    assert "rptemplates/map_response.xml" in multiple and 'cardinality="multiple"' in multiple
    assert "<imsmd:id>P8</imsmd:id>" in manifest


def test_moodle_round_trip_gives_the_same_items(bank):
    checked = check_bank(bank)
    data, not_written = moodle.export_xml(checked.items, checked.scenarios)
    assert not_written == []
    items, skipped = moodle.read_xml(data)
    assert skipped == []
    for spec, external in zip(checked.items, items, strict=True):
        same(spec, external)


def test_moodle_export_reports_ranking_items_it_cannot_write(bank):
    path = bank / "items" / "practitioner" / "test.yaml"
    text = path.read_text().replace("    type: single_best_answer\n", "    type: ranking\n").replace("    key: [A]\n", "    key: [A, C, B, D]\n")
    path.write_text(text)
    checked = check_bank(bank)
    _data, not_written = moodle.export_xml(checked.items, checked.scenarios)
    assert not_written == ["prac-9001: ranking items have no Moodle multichoice equivalent; not written"]
    items, _ = qti.read_package(qti.export_package(checked.items, checked.scenarios))
    assert items[0].type == "ranking" and items[0].key == ["A", "C", "B", "D"]


def test_another_systems_moodle_file():
    items, skipped = moodle.read_xml((SAMPLES / "foreign-moodle.xml").read_bytes())
    assert [item.source_id for item in items] == ["Strategy discussion timing", "Signs of neglect"]
    timing, neglect = items
    assert timing.type == "single_best_answer" and timing.key == ["B"] and timing.kss is None
    assert timing.stem == "A teacher tells you that Maya, aged 9, has a bruise she says her stepfather caused.\n\nWhen should a strategy discussion take place?"
    assert timing.options[1]["rationale"] == "Correct: the discussion decides whether section 47 enquiries start."
    assert neglect.type == "multiple_response" and neglect.key == ["A", "C"]
    assert skipped == ["Section 20 consent: question type 'truefalse' is not supported (only multichoice); skipped",
                       "Reflective account: question type 'essay' is not supported (only multichoice); skipped"]


def test_another_systems_qti_package():
    items, skipped = qti.read_package((SAMPLES / "foreign-qti3.zip").read_bytes())
    [item] = items
    assert item.source_id == "ITM-choice-001" and item.key == ["C"] and item.type == "single_best_answer"
    assert item.stem.startswith("A GP tells you that a father has started drinking heavily again.")
    assert item.stem.endswith("What should the social worker do with the GP's information?\n\nChoose one.")
    assert item.options[2]["text"] == "Share what is necessary and proportionate with the conference"
    assert skipped == [
        "ITM-text-002 (ITM-text-002/item.xml): unsupported item (qti-text-entry-interaction); only single choice, "
        "multiple choice and order interactions are imported",
        "ITM-missing: the manifest names ITM-missing/item.xml, which is not in the package",
    ]


def zipped(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"this is not a zip", "the file is not a zip archive (a QTI package is a .zip with imsmanifest.xml)"),
        (zipped({"item.xml": b"<x/>"}), "the package has no imsmanifest.xml at its top level, so it is not a QTI content package"),
        (zipped({"imsmanifest.xml": b"<manifest><resources>"}), "imsmanifest.xml line 1: not well-formed XML"),
        (zipped({"imsmanifest.xml": b'<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><manifest>&x;</manifest>'}),
         "imsmanifest.xml: refused unsafe XML"),
        (zipped({"imsmanifest.xml": b"<manifest/>", "bomb.txt": b"0" * (60 * 1024 * 1024)}), "the package would unpack to 60 MB; the limit is 50 MB"),
        (zipped({"imsmanifest.xml": b"<manifest/>", "bomb.txt": b"0" * (5 * 1024 * 1024)}), "bomb.txt is compressed suspiciously well (a zip bomb?); refused"),
        (zipped({"imsmanifest.xml": b"<manifest/>", "../../etc/cron": b"x"}), "../../etc/cron points outside the package; refused"),
    ],
    ids=["not-zip", "no-manifest", "broken-xml", "xxe", "too-large", "bomb", "traversal"],
)
def test_bad_qti_packages_are_refused_with_a_reason(data, message):
    with pytest.raises(InterchangeError) as error:
        qti.read_package(data)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<quiz><question>", "line 1: not well-formed XML"),
        (b"<questions/>", "the top element is <questions>, not <quiz>: this is not a Moodle XML question file"),
        (b'<!DOCTYPE quiz [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><quiz>&b;</quiz>', "refused unsafe XML"),
        (b" " * (21 * 1024 * 1024), "the file is 21 MB; the limit is 20 MB"),
    ],
    ids=["broken-xml", "not-quiz", "entities", "too-large"],
)
def test_bad_moodle_files_are_refused_with_a_reason(data, message):
    with pytest.raises(InterchangeError) as error:
        moodle.read_xml(data)
    assert str(error.value).startswith(message)


def test_import_file_adds_drafts_that_match_the_exported_items(app, session, bank, tmp_path):
    import shutil

    checked = check_bank(bank)
    package = tmp_path / "bank.zip"
    package.write_bytes(qti.export_package(checked.items, checked.scenarios))
    shutil.rmtree(bank / "items")  # the receiving bank has the framework and scenario, not the items
    import_bank(session, bank=check_bank(bank), actor=None)
    session.commit()
    result = app.test_cli_runner().invoke(args=["bank", "import-file", "--format", "qti3", str(package)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 item(s) as drafts: prac-9001, prac-9002. 0 skipped." in result.output
    imported = session.exec(select(Item).where(Item.code == "prac-9001")).one()
    assert imported.status is ItemStatus.DRAFT
    version = imported.current
    assert version.key == ["A"] and version.also_kss == ["P6"] and version.stage == "visit"
    assert version.scenario_version.scenario.code == "prac-sc-90"


def test_import_file_keeps_existing_items_and_needs_a_kss_code(app, session, bank, tmp_path):
    import_bank(session, bank=check_bank(bank), actor=None)
    session.commit()
    runner = app.test_cli_runner()
    again = tmp_path / "again.xml"
    checked = check_bank(bank)
    again.write_bytes(moodle.export_xml(checked.items, checked.scenarios)[0])
    result = runner.invoke(args=["bank", "import-file", "--format", "moodle-xml", str(again)])
    assert "Imported 2 item(s) as drafts: prac-9003, prac-9004." in result.output  # never overwrites prac-9001/2
    foreign = runner.invoke(args=["bank", "import-file", "--format", "moodle-xml", str(SAMPLES / "foreign-moodle.xml")])
    assert "skipped: Strategy discussion timing: it has no KSS code; give one with --kss" in foreign.output
    with_code = runner.invoke(args=["bank", "import-file", "--format", "moodle-xml", "--kss", "P5", str(SAMPLES / "foreign-moodle.xml")])
    assert "Imported 1 item(s) as drafts" in with_code.output
    assert "skipped: Signs of neglect: a multiple response item has 8 options, not 4" in with_code.output


def test_import_file_with_a_broken_file_imports_nothing(app, session, tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK not really")
    result = app.test_cli_runner().invoke(args=["bank", "import-file", "--format", "qti3", str(broken)])
    assert result.exit_code == 1
    assert "the file is not a zip archive" in result.output and "Nothing was imported." in result.output
    assert session.exec(select(Item)).all() == []


@pytest.mark.parametrize("fmt, reader", [("qti3", qti.read_package), ("moodle-xml", moodle.read_xml)])
def test_cli_export_writes_the_current_versions_from_the_database(app, session, bank, tmp_path, fmt, reader):
    import_bank(session, bank=check_bank(bank), actor=None)
    session.commit()
    out = tmp_path / "export"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bank", "export", "--format", fmt, str(out)])
    assert result.exit_code == 0 and "Wrote 2 item(s)" in result.output
    items, skipped = reader(out.read_bytes())
    assert [item.source_id for item in items] == ["prac-9001", "prac-9002"] and skipped == []
    assert items[0].scenario == "prac-sc-90" and items[1].references == ["Children Act 1989, section 20"]
    none = runner.invoke(args=["bank", "export", "--format", fmt, "--status", "draft", str(out)])
    assert none.exit_code == 1 and "there are no draft items to export" in none.output
