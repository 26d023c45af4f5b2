"""The candidate's feedback report PDF, read back with pypdf. No database or app needed."""

import io
import re
import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader

from app.exams.feedback_report import (
    AREA_TO_DEVELOP,
    NO_AREAS_SENTENCE,
    STRENGTH,
    FeedbackReport,
    StatementFeedback,
    format_number,
    format_percent,
    render_feedback_report,
)
from app.scoring import statement_label

TITLES = [
    "The role of child and family social work",
    "Child development",
    "Adult mental ill health, substance misuse, domestic abuse, physical ill health and disability",
    "Abuse and neglect of children",
    "Child and family assessment",
    "Analysis, decision-making, planning and review",
    "The law and the family and youth justice systems",
    "The role of supervision",
    "Organisational context",
    "Professional ethics",
]
# (questions, marks) per statement: P2, P4, P8 and P9 are areas to develop; P3, P7, P10 too few to say.
RESULTS = [(3, 3), (4, 2), (2, 1), (3, 1.5), (5, 4), (3, 3), (1, 1), (4, 2), (3, 2), (2, 2)]
AREA_SUMMARY = "Carry out in-depth assessments of the needs of children and their families, drawing on research and practice."


def statement(n: int, items: int, score: float, summary: str | None = None) -> StatementFeedback:
    code = f"P{n}"
    return StatementFeedback(
        code=code,
        title=TITLES[(n - 1) % len(TITLES)],
        summary=summary or f"What a practitioner should know and be able to do for {code}.",
        score=score,
        max_score=items,
        items=items,
        label=statement_label(score, items, items),
    )


def statements() -> tuple[StatementFeedback, ...]:
    made = [statement(n, items, score) for n, (items, score) in enumerate(RESULTS, start=1)]
    made[1] = replace(made[1], summary=AREA_SUMMARY)  # P2, an area to develop
    return tuple(made)


def make_report(**overrides) -> FeedbackReport:
    values = dict(
        candidate_name="Amara Okafor",
        registration_number="SW123456",
        tier_name="Child and family practitioner",
        standard="Knowledge and skills statement for child and family practitioners (Department for Education, 2014)",
        sat_at=datetime(2026, 11, 23, 14, 5, tzinfo=timezone.utc),
        score=21,
        max_score=30,
        cut_score=18,
        passed=True,
        answered=29,
        questions=30,
        statements=statements(),
        issuing_body="Child and Family Social Work Accreditation Board",
        reference="Attempt 42",
    )
    return FeedbackReport(**{**values, **overrides})


def read(pdf: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [page.extract_text() for page in reader.pages]


def flat(pages: list[str]) -> str:
    """All pages' text with runs of whitespace (including line breaks) made single spaces."""
    return " ".join(" ".join(pages).split())


def test_a_passing_report_has_the_candidate_score_and_statements():
    pdf = render_feedback_report(make_report())
    assert pdf.startswith(b"%PDF")
    reader, pages = read(pdf)
    text = flat(pages)

    assert "Amara Okafor" in reader.metadata.title
    assert reader.metadata.title == "Knowledge assessment feedback \u2013 Amara Okafor"
    assert reader.metadata.author == "Child and Family Social Work Accreditation Board"
    assert reader.metadata.subject
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"

    assert "Knowledge assessment feedback" in text
    assert "Amara Okafor" in text
    assert "SW123456" in text
    assert "Child and family practitioner" in text
    assert "23 November 2026" in text
    assert "Attempt 42" in text
    assert "Passed" in text and "Not yet passed" not in text
    assert "Your score: 21 out of 30 (70%)." in text
    assert "The pass mark for your paper was 18 out of 30." in text
    assert "Questions answered: 29 of 30." in text
    assert "If you resit" not in text
    for n in range(1, 11):
        assert re.search(rf"\bP{n}\b", text), f"P{n} missing"
    assert "Area to develop" in text and "Strength" in text and "Too few questions to say" in text
    assert AREA_SUMMARY in text
    assert "How this report was made" in text
    assert "at least 3 questions" in text


def test_the_date_sat_is_in_london_time():
    summer = render_feedback_report(make_report(sat_at=datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc)))
    assert "1 July 2026" in flat(read(summer)[1])  # 00:30 BST
    winter = render_feedback_report(make_report(sat_at=datetime(2026, 11, 23, 14, 5, tzinfo=timezone.utc)))
    assert "23 November 2026" in flat(read(winter)[1])


def test_a_report_that_did_not_pass_says_so_in_words_and_explains_a_resit():
    text = flat(read(render_feedback_report(make_report(score=15, cut_score=18, passed=False)))[1])
    assert "Not yet passed" in text
    assert "Passed" not in text  # case-sensitive: only "Not yet passed"
    assert "Your score: 15 out of 30 (50%)." in text
    assert "If you resit" in text
    assert "different questions" in text


def test_areas_to_develop_show_the_statement_summary_and_a_suggestion():
    text = flat(read(render_feedback_report(make_report()))[1])
    areas = text[text.index("Areas to develop"):text.index("Your strengths")]
    for code in ("P2", "P4", "P8", "P9"):
        assert re.search(rf"\b{code}\b", areas)
    for code in ("P1", "P3", "P5"):
        assert not re.search(rf"\b{code}\b", areas)
    assert AREA_SUMMARY in areas
    assert "supervisor" in areas
    strengths = text[text.index("Your strengths"):]
    assert "P1 The role of child and family social work" in strengths
    assert "P5 Child and family assessment" in strengths


def test_the_report_never_shows_question_content():
    text = flat(read(render_feedback_report(make_report()))[1]).lower()
    for word in ("rationale", "option", "correct answer", "key:"):
        assert word not in text


def test_markup_in_names_is_shown_literally():
    name = "Jo & <b>Sam</b> O\u2019Brien <i>"
    pdf = render_feedback_report(make_report(candidate_name=name, reference="Attempt <7> & co"))
    reader, pages = read(pdf)
    text = flat(pages)
    assert name.strip() in text
    assert "Attempt <7> & co" in text
    assert reader.metadata.title.endswith(name)


def test_characters_beyond_the_built_in_font_are_shown_as_plain_letters():
    name = "\u0141ukasz \u017b\u00f3\u0142\u0107 Nguy\u1ec5n"  # Łukasz Żółć Nguyễn
    reader, pages = read(render_feedback_report(make_report(candidate_name=name)))
    assert "Lukasz Z\u00f3lc Nguyen" in flat(pages)
    assert "\u25a0" not in flat(pages)  # no missing-glyph boxes
    assert reader.metadata.title.endswith(name)  # the metadata keeps the name exactly


def test_the_registration_number_row_is_left_out_when_there_is_none():
    text = flat(read(render_feedback_report(make_report(registration_number=None)))[1])
    assert "registration number" not in text


def test_a_long_report_spans_pages_with_numbered_footers():
    long_summary = " ".join(["Social workers should understand and apply this statement in their day-to-day practice."] * 6)
    many = tuple(statement(n, 4, 2 if n % 3 else 4, summary=long_summary) for n in range(1, 25))
    pdf = render_feedback_report(make_report(statements=many, max_score=96, score=56, cut_score=67, passed=False,
                                             questions=96, answered=96))
    _, pages = read(pdf)
    total = len(pages)
    assert total > 1
    for number, page in enumerate(pages, start=1):
        flat_page = " ".join(page.split())
        assert f"Page {number} of {total}" in flat_page
        assert "Child and Family Social Work Accreditation Board" in flat_page
        assert "Attempt 42" in flat_page
    text = flat(pages)
    for n in range(1, 25):
        assert re.search(rf"\bP{n}\b", text)
    # the table split across pages, and its header row was repeated
    assert text.count("Statement Questions Marks Result") >= 2


def test_no_areas_to_develop_says_so_and_points_to_statements_too_few_to_say():
    all_strong = tuple(replace(s, label=STRENGTH if s.label == AREA_TO_DEVELOP else s.label) for s in statements())
    text = flat(read(render_feedback_report(make_report(statements=all_strong)))[1])
    assert NO_AREAS_SENTENCE in text
    assert "too few questions" in text.lower()
    assert "P3 Adult mental ill health" in text[text.index(NO_AREAS_SENTENCE):text.index("Your strengths")]


def test_numbers_have_no_needless_decimals():
    text = flat(read(render_feedback_report(make_report(score=20.5, cut_score=21.0, passed=False)))[1])
    assert "Your score: 20.5 out of 30 (68%)." in text
    assert "The pass mark for your paper was 21 out of 30." in text
    assert "21.0" not in text
    assert "1.5 out of 3" in text  # P4's marks
    assert "3 out of 3" in text and "3.0" not in text


@pytest.mark.parametrize(("value", "shown"), [(21.0, "21"), (21, "21"), (20.5, "20.5"), (20.25, "20.25"), (0, "0"),
                                              (1 / 3, "0.33")])
def test_format_number(value, shown):
    assert format_number(value) == shown


def test_percent_is_rounded_down_so_a_near_miss_is_not_overstated():
    assert format_percent(20.9, 30) == "69%"
    assert format_percent(21, 30) == "70%"
    assert format_percent(0, 0) is None


@pytest.mark.parametrize(("score", "items", "label"), [(3, 3, STRENGTH), (2.1, 3, STRENGTH), (2, 3, AREA_TO_DEVELOP),
                                                       (7, 10, STRENGTH), (6.5, 10, AREA_TO_DEVELOP), (2, 2, None),
                                                       (0, 0, None)])
def test_statement_label(score, items, label):
    assert statement_label(score, items, items) == label


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="label"):
        replace(statements()[0], label="weakness")
    with pytest.raises(ValueError, match="aware"):
        make_report(sat_at=datetime(2026, 11, 23, 14, 5))


def test_rendering_is_quick():
    report = make_report()
    started = time.perf_counter()
    render_feedback_report(report)
    assert time.perf_counter() - started < 2
