"""The candidate's feedback report on a knowledge assessment, as a PDF. Pure.

The report works at statement level only: it never shows question text, options, keys or
rationales, because the bank is reused. Callers build a `FeedbackReport` (with each statement's
label already decided by app.scoring) and `render_feedback_report` returns the
PDF bytes. Layout: A4, built-in Helvetica, black text, one accent colour, GOV.UK-like and plain.
"""

import io
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.scoring import AREA_TO_DEVELOP, MIN_ITEMS_FOR_LABEL, STRENGTH, STRENGTH_AT

LONDON = ZoneInfo("Europe/London")

LABEL_WORDS = {STRENGTH: "Strength", AREA_TO_DEVELOP: "Area to develop", None: "Too few questions to say"}

# The labelling rule lives in app.scoring; the report explains it with the same numbers.
MIN_QUESTIONS_FOR_LABEL = MIN_ITEMS_FOR_LABEL
STRENGTH_PERCENT = round(STRENGTH_AT * 100)

NO_AREAS_SENTENCE = "There were no statements marked as areas to develop on your paper."
PREPARE_SENTENCE = ("To prepare, you could read this statement again, talk it through with your supervisor, "
                    "and reflect on how it applies to recent cases you have worked on.")


@dataclass(frozen=True)
class StatementFeedback:
    code: str  # "P5"
    title: str  # "Child and family assessment"
    summary: str  # one-paragraph description of the statement
    score: float  # marks gained on this statement's questions
    max_score: float  # marks available (= number of questions)
    items: int  # number of questions on this statement
    label: str | None  # "strength", "area_to_develop", or None (too few questions to say)

    def __post_init__(self):
        if self.label not in LABEL_WORDS:
            raise ValueError(f"unknown label {self.label!r} for statement {self.code}")


@dataclass(frozen=True)
class FeedbackReport:
    candidate_name: str
    registration_number: str | None  # Social Work England registration number
    tier_name: str  # "Child and family practitioner"
    standard: str  # the published standard the tier is assessed against
    sat_at: datetime  # when the attempt was submitted (aware UTC datetime)
    score: float
    max_score: float
    cut_score: float  # the pass mark for this candidate's form, in marks
    passed: bool
    answered: int  # questions answered
    questions: int  # questions on the form
    statements: tuple[StatementFeedback, ...]
    issuing_body: str  # e.g. "Child and Family Social Work Accreditation Board"
    reference: str  # attempt reference shown on the report, e.g. "Attempt 42"
    statement_minimum_percent: int | None = None  # set only if administrators require a minimum on every statement
    below_minimum: tuple[str, ...] = ()  # statement codes below that minimum
    voided: int = 0  # questions removed from scoring after the assessment (a fault was found in them)

    def __post_init__(self):
        if self.sat_at.tzinfo is None or self.sat_at.utcoffset() is None:
            raise ValueError("sat_at must be an aware datetime")


def voided_sentence(voided: int) -> str:
    """Why the paper counts fewer questions than the candidate saw."""
    questions, was, it = ("1 question", "was", "it") if voided == 1 else (f"{voided} questions", "were", "them")
    return (f"{questions} on your paper {was} removed from scoring after the assessment, because a review found a fault "
            f"in {it}. Your score, the marks available and your pass mark do not include {it}.")


def format_number(value: float) -> str:
    """21.0 -> "21", 20.5 -> "20.5", 20.25 -> "20.25" (at most two decimals)."""
    rounded = round(float(value), 2)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.2f}".rstrip("0").rstrip(".")


def format_percent(score: float, max_score: float) -> str | None:
    """Whole percent, rounded down so a near miss is never shown as the mark it missed."""
    if max_score <= 0:
        return None
    return f"{math.floor(score * 100 / max_score + 1e-9)}%"


def format_date(value: datetime) -> str:
    value = value.astimezone(LONDON)
    return f"{value.day} {value:%B %Y}"


# --- styles -----------------------------------------------------------------------------------

TEXT = colors.HexColor("#0b0c0c")
SECONDARY = colors.HexColor("#505a5f")
ACCENT = colors.HexColor("#1d70b8")
BORDER = colors.HexColor("#b1b4b6")
PANEL = colors.HexColor("#f3f2f1")

MARGIN = 25 * mm
FOOTER_Y = 13 * mm
FONT, BOLD = "Helvetica", "Helvetica-Bold"

BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=15, textColor=TEXT, alignment=TA_LEFT, spaceAfter=6)
H1 = ParagraphStyle("h1", parent=BODY, fontName=BOLD, fontSize=24, leading=29, spaceAfter=4)
LEAD = ParagraphStyle("lead", parent=BODY, fontSize=13, leading=17, textColor=SECONDARY, spaceAfter=8)
H2 = ParagraphStyle("h2", parent=BODY, fontName=BOLD, fontSize=16, leading=20, textColor=ACCENT,
                    spaceBefore=16, spaceAfter=8, keepWithNext=1)
H2_BEFORE_TABLE = ParagraphStyle("h2_table", parent=H2, keepWithNext=0)  # the table may split; CondPageBreak guards it
H3 = ParagraphStyle("h3", parent=BODY, fontName=BOLD, fontSize=12, leading=15, spaceBefore=8, spaceAfter=3, keepWithNext=1)
OUTCOME = ParagraphStyle("outcome", parent=BODY, fontName=BOLD, fontSize=18, leading=22, spaceAfter=6)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=10, leading=13, spaceAfter=0)
CELL_BOLD = ParagraphStyle("cell_bold", parent=CELL, fontName=BOLD)
BULLET = ParagraphStyle("bullet", parent=BODY, leftIndent=14, bulletIndent=2, spaceAfter=3)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# The built-in fonts only have the Windows-1252 characters. Anything else would print as a black box,
# so it is shown as its nearest plain letter (Ł -> L, ễ -> e) or, failing that, "?". The PDF's
# metadata keeps the text exactly as given.
_NO_DECOMPOSITION = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ŧ": "T", "ŧ": "t"})


def _printable(text: str) -> str:
    """Text the built-in Helvetica can show: control characters dropped, others replaced as above."""
    text = _CONTROL.sub("", str(text))
    if _encodable(text):
        return text
    out = []
    for char in unicodedata.normalize("NFC", text).translate(_NO_DECOMPOSITION):
        if _encodable(char):
            out.append(char)
        else:
            plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c) and _encodable(c))
            out.append(plain or "?")
    return "".join(out)


def _encodable(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _esc(text: str) -> str:
    """Text made safe for Paragraph markup: made printable (above), then & < > escaped."""
    return escape(_printable(text))


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (escaped here; never pass markup)."""
    return Paragraph(_esc(text), style)


# --- page furniture ----------------------------------------------------------------------------

class _FooterCanvas(Canvas):
    """Holds every page until the end, so the footer can say "Page N of M"."""

    def __init__(self, *args, footer: tuple[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int):
        issuer, reference = (_printable(s) for s in self._footer)
        right_text = f"{reference}  \u00b7  Page {number} of {total}"
        width, _ = self._pagesize
        left, right = MARGIN, width - MARGIN
        size = 8.5
        self.saveState()
        self.setStrokeColor(BORDER)
        self.setLineWidth(0.5)
        self.line(left, FOOTER_Y + 11, right, FOOTER_Y + 11)
        self.setFillColor(SECONDARY)
        self.setFont(FONT, size)
        self.drawString(left, FOOTER_Y, issuer)
        if stringWidth(issuer, FONT, size) + 16 + stringWidth(right_text, FONT, size) <= right - left:
            self.drawRightString(right, FOOTER_Y, right_text)
        else:  # a long issuer or reference: page number under the issuer's line
            self.drawRightString(right, FOOTER_Y - 11, right_text)
        self.restoreState()


# --- content ----------------------------------------------------------------------------------

def _out_of(score: float, max_score: float) -> str:
    return f"{format_number(score)} out of {format_number(max_score)}"


def _statement_name(statement: StatementFeedback) -> str:
    return f"{statement.code} {statement.title}"


def _details(report: FeedbackReport, width: float) -> Table:
    rows = [("Name", report.candidate_name)]
    if report.registration_number is not None:
        rows.append(("Social Work England registration number", report.registration_number))
    rows += [
        ("Accreditation", report.tier_name),
        ("Assessed against", report.standard),
        ("Date sat", format_date(report.sat_at)),
        ("Reference", report.reference),
    ]
    label_width = 58 * mm
    table = Table([[_p(key, CELL_BOLD), _p(value, CELL)] for key, value in rows],
                  colWidths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, BORDER),
    ]))
    return table


def _outcome(report: FeedbackReport, width: float) -> Table:
    percent = format_percent(report.score, report.max_score)
    score = f"Your score: {_out_of(report.score, report.max_score)}" + (f" ({percent})." if percent else ".")
    content = [
        _p("Passed" if report.passed else "Not yet passed", OUTCOME),
        _p(score),
        _p(f"The pass mark for your paper was {_out_of(report.cut_score, report.max_score)}."),
        *([_p(f"A pass also needs at least {report.statement_minimum_percent}% on every statement. "
              f"You were below it on {', '.join(report.below_minimum)}.")] if report.below_minimum else []),
        _p(f"Questions answered: {report.answered} of {report.questions}."),
        *([_p(voided_sentence(report.voided))] if report.voided else []),
    ]
    if not report.passed:
        content.append(_p("You can resit. See \u201cIf you resit\u201d at the end of this report for what to do next."))
    box = Table([[content]], colWidths=[width], hAlign="LEFT")
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), PANEL),
        ("LINEBEFORE", (0, 0), (0, -1), 5, ACCENT),
        ("LEFTPADDING", (0, 0), (-1, -1), 14),
        ("RIGHTPADDING", (0, 0), (-1, -1), 14),
        ("TOPPADDING", (0, 0), (-1, -1), 10),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    return box


def _results_table(statements: tuple[StatementFeedback, ...], width: float) -> Table:
    widths = [width - 84 * mm, 22 * mm, 28 * mm, 34 * mm]
    header = [_p(text, CELL_BOLD) for text in ("Statement", "Questions", "Marks", "Result")]
    rows = [header]
    for s in statements:
        rows.append([
            Paragraph(f"<b>{_esc(s.code)}</b> {_esc(s.title)}", CELL),
            _p(str(s.items), CELL),
            _p(_out_of(s.score, s.max_score), CELL),
            _p(LABEL_WORDS[s.label], CELL),
        ])
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LINEBELOW", (0, 0), (-1, 0), 1.5, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, BORDER),
    ]))
    return table


def _story(report: FeedbackReport, width: float) -> list:
    statements = report.statements
    story: list = [
        _p("Knowledge assessment feedback", H1),
        _p(report.candidate_name, LEAD),
        HRFlowable(width="100%", thickness=2, color=ACCENT, spaceBefore=0, spaceAfter=10),
        _details(report, width),
        Spacer(1, 14),
        _outcome(report, width),
        CondPageBreak(55 * mm),  # the heading, the table's header and a few rows, or a new page
        _p("Your results by statement", H2_BEFORE_TABLE),
        _results_table(statements, width) if statements else _p("There are no statement results for this paper."),
    ]
    story += _areas_to_develop(statements) + _strengths(statements)
    if not report.passed:
        story += _if_you_resit()
    return story + _how_this_report_was_made()


def _areas_to_develop(statements) -> list:
    areas = [s for s in statements if s.label == AREA_TO_DEVELOP]
    unlabelled = [s for s in statements if s.label is None]
    story = [_p("Areas to develop", H2)]
    if areas:
        story.append(_p("These are the statements where you gained less than "
                        f"{STRENGTH_PERCENT}% of the marks available."))
        for s in areas:
            story.append(KeepTogether([_p(_statement_name(s), H3), _p(s.summary), _p(PREPARE_SENTENCE)]))
        return story
    story.append(_p(NO_AREAS_SENTENCE))
    if unlabelled:
        names = "; ".join(_statement_name(s) for s in unlabelled)
        story.append(_p("Some statements had too few questions on your paper to say how you did. "
                        f"It is still worth reviewing them before your next assessment: {names}."))
    else:
        story.append(_p("It is still worth reviewing any statements marked \u201cToo few questions to say\u201d "
                        "in future reports, and keeping your knowledge of all the statements up to date."))
    return story


def _strengths(statements) -> list:
    strengths = [s for s in statements if s.label == STRENGTH]
    if not strengths:
        return [_p("Your strengths", H2), _p("There were no statements marked as strengths on your paper.")]
    return [_p("Your strengths", H2),
            _p(f"These are the statements where you gained {STRENGTH_PERCENT}% or more of the marks available."),
            *[Paragraph(f"<b>{_esc(s.code)}</b> {_esc(s.title)}", BULLET, bulletText="\u2022") for s in strengths]]


def _if_you_resit() -> list:
    return [
        _p("If you resit", H2),
        _p("You can book a resit once your employer\u2019s endorsement is current."),
        _p("Your next paper will have different questions, mapped to the same statements."),
        _p("Focus your preparation on your areas to develop, and on any statements with too few questions to say."),
    ]


def _how_this_report_was_made() -> list:
    return [
        _p("How this report was made", H2),
        _p("Each question is worth up to one mark, and each question is mapped to one statement. "
           "Your marks for a statement are the marks you gained on its questions. "
           f"A statement is only given a result when your paper had at least {MIN_QUESTIONS_FOR_LABEL} questions on it; "
           "with fewer, it would not be fair to say how you did. "
           f"A statement is a strength when you gained {STRENGTH_PERCENT}% or more of its marks, and an area to develop "
           f"when you gained less than {STRENGTH_PERCENT}%. "
           "This report does not show the questions or your answers, because questions are used again in future papers."),
    ]


def render_feedback_report(report: FeedbackReport) -> bytes:
    """The feedback report as PDF bytes."""
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
        title=f"Knowledge assessment feedback \u2013 {_CONTROL.sub('', report.candidate_name)}",
        author=report.issuing_body,
        subject=f"Knowledge assessment feedback: {report.tier_name}",
        creator=report.issuing_body,
        lang="en-GB",
        displayDocTitle=True,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(_story(report, doc.width), canvasmaker=partial(_FooterCanvas, footer=(report.issuing_body, report.reference)))
    return buffer.getvalue()
