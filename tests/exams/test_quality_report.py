"""The window quality report: a simulated cohort sits real forms; the report finds the planted
miskeyed item and the planted DIF item, never shows NaN, exports CSV safely, and a key correction
clears the flag."""

import csv
import io

import pytest
from sqlmodel import select

from app.models import CorrectionKind, Item, ItemVersion, Role, Tier
from app.models.types import utcnow
from app.quality import regrading, reports
from app.quality.simulated import seed_simulated_window
from tests.conftest import page_text


@pytest.fixture
def simulated(session, open_window):
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    result = seed_simulated_window(session, tier=tier, candidates=300, seed=7, now=utcnow())
    session.commit()
    return result


def version_of(session, code) -> ItemVersion:
    return session.exec(select(Item).where(Item.code == code)).one().current


def test_the_report_finds_the_miskeyed_item_and_a_key_correction_clears_it(session, simulated, user_with_role):
    report = reports.window_report(session, simulated.window)
    assert report.attempts == 300 and report.summary.n == 300
    assert 0 < report.summary.mean < 30 and report.summary.sd > 0 and 0.5 < report.summary.reliability.coefficient < 1
    assert report.summary.reliability.design == "randomly parallel forms" and report.summary.sem > 0
    assert sum(report.summary.distribution) == 300 and len(report.cut_scores) == 300
    miskeyed = version_of(session, simulated.miskeyed)
    stats = next(s for s in report.analysis.items if s.item_id == miskeyed.id)
    # Strong candidates chose another option, so the item barely discriminates, or does so the wrong way round
    # (how far depends on the ~90 candidates who drew it).
    assert "distractor_beats_key" in stats.flags and stats.point_biserial < 0.15
    before = stats.point_biserial

    regrading.correct(session, version=miskeyed, kind=CorrectionKind.KEY, key=[simulated.true_key], actor=user_with_role(Role.ADMINISTRATOR),
                      now=utcnow(), reason="Item analysis: strong candidates chose another option; the writer confirmed it.")
    session.commit()
    after = reports.window_report(session, simulated.window)
    stats = next(s for s in after.analysis.items if s.item_id == miskeyed.id)
    assert "distractor_beats_key" not in stats.flags and stats.point_biserial > before + 0.2
    assert after.summary.mean > report.summary.mean


def test_dif_is_reported_only_for_groups_large_enough(session, simulated):
    strict = reports.window_report(session, simulated.window)  # at least 100 per group given each item
    assert strict.monitoring > 0 and strict.dif and strict.dif_reported == []
    assert all(result.reference_n is None and result.focal_n is None for result in strict.dif)  # sizes withheld too
    assert all(group.count is None or group.count >= 100 for group in strict.groups)

    relaxed = reports.window_report(session, simulated.window, min_group=20)
    planted = version_of(session, simulated.dif_item).id
    (by_sex,) = [r for r in relaxed.dif_reported if r.item_id == planted and r.variable == "sex"]
    assert (by_sex.reference, by_sex.focal) == ("female", "male") and by_sex.statistics.d_dif < 0  # harder for men


def test_the_report_pages_and_exports(client, session, simulated, signed_in_as):
    signed_in_as(Role.ADMINISTRATOR)
    url = f"/admin/windows/{simulated.window.id}/quality"
    page = page_text(client.get(url))
    assert "300 submitted attempts" in page and "randomly parallel forms" in page and "nan" not in page.lower()
    assert f"{simulated.miskeyed}" in page and "Distractor beats key" in page
    assert "Score distribution as a table" in page and "not made because a group was too small" in page
    version = version_of(session, simulated.miskeyed)
    item_page = page_text(client.get(f"{url}/items/{version.id}"))
    assert "Options" in item_page and "Correct its key or void it" in item_page
    items = list(csv.DictReader(io.StringIO(client.get(f"{url}/items.csv").get_data(as_text=True))))
    assert len(items) == len(reports.window_report(session, simulated.window).analysis.items)
    assert {row["item"] for row in items if "distractor_beats_key" in row["flags"]} >= {simulated.miskeyed}
    dif = client.get(f"{url}/dif.csv")
    assert dif.mimetype == "text/csv" and "not enough candidates" in dif.get_data(as_text=True)
    assert client.get(f"{url}/nothing.csv").status_code == 404
    assert client.get(f"{url}/items/999999").status_code == 404


def test_a_window_nobody_has_sat_has_a_report_that_says_so(client, open_window, signed_in_as):
    signed_in_as(Role.ADMINISTRATOR)
    assert "nothing to analyse" in page_text(client.get(f"/admin/windows/{open_window.id}/quality"))
    rows = list(csv.reader(io.StringIO(client.get(f"/admin/windows/{open_window.id}/quality/items.csv").get_data(as_text=True))))
    assert len(rows) == 1 and rows[0][0] == "item"


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+cmd", "'+cmd"), ("@SUM(A1)", "'@SUM(A1)"), ("-0.25", "-0.25"),
    ("prac-0001", "prac-0001"), (None, ""), (0.5, "0.5"),
])
def test_csv_cells_cannot_run_as_formulas(value, cell):
    assert reports.safe_cell(value) == cell


def test_the_seed_window_command(app, open_window):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["psychometrics", "seed-window", "--candidates", "30", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "30 simulated candidates sat and submitted" in result.output and "is miskeyed" in result.output
    assert "/quality" in result.output
    wrong = runner.invoke(args=["psychometrics", "seed-window", "--tier", "nope"])
    assert wrong.exit_code == 2 and "no tier with the code 'nope'" in wrong.output


def test_a_single_candidate_gives_defined_results_and_not_enough_data(client, session, open_window, signed_in_as):
    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).one()
    one = seed_simulated_window(session, tier=tier, candidates=1, seed=3, now=utcnow())
    session.commit()
    report = reports.window_report(session, one.window)
    assert report.attempts == 1 and report.summary.sd == 0 and report.summary.reliability.coefficient is None
    assert all(item.point_biserial is None and item.not_enough_data for item in report.analysis.items)
    signed_in_as(Role.ADMINISTRATOR)
    page = page_text(client.get(f"/admin/windows/{one.window.id}/quality"))
    assert "Not enough data: 1 attempt: reliability needs at least 2" in page and "nan" not in page.lower()
    assert "No candidate in this window has given" in page or "fewer than 100" in page.lower() or "not made" in page
    items = client.get(f"/admin/windows/{one.window.id}/quality/items.csv").get_data(as_text=True)
    assert "nan" not in items.lower()
