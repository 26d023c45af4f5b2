"""The simulation study and its command: recovered statistics match the simulated truth."""

import pytest

from app.psychometrics.study import difficulties_for, run_study


def test_a_simulated_cohort_is_recovered_within_stated_tolerances():
    result = run_study(10_000, 30, seed=7)
    assert result.facility_max_error < 0.02  # about 4 standard errors of a facility at n = 10,000
    assert 0.75 < result.summary.reliability.coefficient < 0.9 and result.summary.reliability.method == "KR-20"
    assert result.classification.accuracy > 0.85
    assert result.cut_score == pytest.approx(15.0, abs=0.1)  # difficulties symmetric about the borderline ability


def test_a_harder_borderline_raises_the_cut_and_lowers_the_pass_rate():
    easy, hard = run_study(5_000, 30, seed=3, borderline_ability=-0.5), run_study(5_000, 30, seed=3, borderline_ability=0.5)
    assert hard.cut_score > easy.cut_score and hard.summary.pass_rate < easy.summary.pass_rate


@pytest.mark.parametrize("items", [0, -1])
def test_a_form_needs_items(items):
    with pytest.raises(ValueError, match="at least 1 item"):
        difficulties_for(items)


def test_the_simulate_command_reports_the_comparison(app):
    output = app.test_cli_runner().invoke(args=["psychometrics", "simulate", "--candidates", "2000", "--seed", "2"]).output
    assert "Simulated 2,000 candidates x 30 items" in output
    assert "facility recovered vs simulated: largest error 0.0" in output
    assert "KR-20: 0.8" in output and "classification accuracy against true competence: 8" in output


def test_the_simulate_command_refuses_a_cohort_of_one(app):
    result = app.test_cli_runner().invoke(args=["psychometrics", "simulate", "--candidates", "1"])
    assert result.exit_code == 2 and "1 is not in the range 2<=x<=1000000" in result.output
