"""Moodle XML: `multichoice` questions (single and multiple answer).

Written: one <question type="multichoice"> per single best answer or multiple response item, in a
category per tier and statement; options' rationales as answer feedback; KSS codes, tier,
difficulty, scenario and references as tags (KSS:P5 for the primary code, KSS-also:P6 ...).
Multiple response keys carry 33.33333% each and other options -100%, so any wrong choice scores 0.
Ranking items have no multichoice equivalent and are reported as not written.

Read: multichoice questions from any Moodle XML file; every other question type is reported and
skipped (categories are not questions and are passed over quietly).
"""

import html
import re
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

from defusedxml import ElementTree as SafeET

from app.bank.interchange import ExternalItem, InterchangeError

MAX_BYTES = 20 * 1024 * 1024


def export_xml(items, scenarios) -> tuple[bytes, list[str]]:
    """Moodle XML for `items`, and a message for each item that could not be written."""
    quiz = ET.Element("quiz")
    skipped, category = [], None
    for item in sorted(items, key=lambda i: (i.tier, i.kss, i.id)):
        if item.type == "ranking":
            skipped.append(f"{item.id}: ranking items have no Moodle multichoice equivalent; not written")
            continue
        if category != (item.tier, item.kss):
            category = (item.tier, item.kss)
            question = ET.SubElement(quiz, "question", type="category")
            _text_element(ET.SubElement(question, "category"), f"$course$/top/KSS/{item.tier}/{item.kss}")
        quiz.append(_question(item, scenarios))
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True), skipped


def _text_element(parent, text, html_format=False):
    if html_format:
        parent.set("format", "html")
    ET.SubElement(parent, "text").text = text
    return parent


def _question(item, scenarios):
    question = ET.Element("question", type="multichoice")
    _text_element(ET.SubElement(question, "name"), item.id)
    _text_element(ET.SubElement(question, "questiontext"), _question_html(item, scenarios), html_format=True)
    _text_element(ET.SubElement(question, "generalfeedback"), "", html_format=True)
    ET.SubElement(question, "defaultgrade").text = "1.0000000"
    ET.SubElement(question, "penalty").text = "0.3333333"
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = item.id
    ET.SubElement(question, "single").text = "true" if item.type == "single_best_answer" else "false"
    ET.SubElement(question, "shuffleanswers").text = "false"
    ET.SubElement(question, "answernumbering").text = "ABCD"
    for letter, option in zip("ABCDEFGHIJ"[: len(item.options)], item.options, strict=True):
        keyed = letter in item.key
        fraction = "100" if item.type == "single_best_answer" and keyed else "33.33333" if keyed else (
            "0" if item.type == "single_best_answer" else "-100")
        answer = ET.SubElement(question, "answer", fraction=fraction, format="html")
        ET.SubElement(answer, "text").text = html.escape(option.text)
        _text_element(ET.SubElement(answer, "feedback"), html.escape(option.rationale), html_format=True)
    tags = ET.SubElement(question, "tags")
    for tag in _tags(item):
        _text_element(ET.SubElement(tags, "tag"), tag)
    return question


def _tags(item):
    tags = [f"KSS:{item.kss}", *[f"KSS-also:{code}" for code in item.also_kss], f"tier:{item.tier}", f"difficulty:{item.difficulty}"]
    if item.scenario:
        tags += [f"scenario:{item.scenario}", f"stage:{item.stage}"]
    return tags + [f"reference:{reference}" for reference in item.references]


def _question_html(item, scenarios):
    parts = []
    if item.scenario:
        scenario = scenarios[item.scenario]
        stages = []
        for stage in scenario.stages:
            stages.append(f"<h3>{html.escape(stage.title)}</h3>" + "".join(f"<p>{html.escape(p)}</p>" for p in _paragraphs(stage.text)))
            if stage.id == item.stage:
                break
        parts.append(f'<div class="scenario" data-scenario="{item.scenario}">{"".join(stages)}</div>')
    parts += [f"<p>{html.escape(paragraph)}</p>" for paragraph in _paragraphs(item.stem)]
    return "".join(parts)


def _paragraphs(text):
    return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


# Reading -------------------------------------------------------------------------------------

def read_xml(data: bytes) -> tuple[list[ExternalItem], list[str]]:
    if len(data) > MAX_BYTES:
        raise InterchangeError(f"the file is {len(data) // (1024 * 1024)} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB")
    try:
        quiz = SafeET.fromstring(data)
    except SafeET.ParseError as error:
        raise InterchangeError(f"line {error.position[0]}: not well-formed XML ({error})") from None
    except Exception as error:  # entities, DTDs and external references are refused
        raise InterchangeError(f"refused unsafe XML ({type(error).__name__})") from None
    if quiz.tag != "quiz":
        raise InterchangeError(f"the top element is <{quiz.tag}>, not <quiz>: this is not a Moodle XML question file")
    items, skipped = [], []
    for number, question in enumerate(quiz.findall("question"), start=1):
        kind = question.get("type")
        name = question.findtext("name/text") or f"question {number}"
        if kind == "category":
            continue
        if kind != "multichoice":
            skipped.append(f"{name}: question type '{kind}' is not supported (only multichoice); skipped")
            continue
        try:
            items.append(_read_question(question, name))
        except InterchangeError as error:
            skipped.append(f"{name}: {error}; skipped")
    return items, skipped


def _read_question(question, name) -> ExternalItem:
    answers = question.findall("answer")
    if len(answers) < 2:
        raise InterchangeError("a multichoice question needs at least two answers")
    single = (question.findtext("single") or "true").strip().lower() == "true"
    key = [chr(ord("A") + n) for n, answer in enumerate(answers) if float(answer.get("fraction", "0")) > 0]
    if not key:
        raise InterchangeError("no answer has a positive fraction, so there is no key")
    options = [{"text": _plain(answer.findtext("text") or ""), "rationale": _plain(answer.findtext("feedback/text") or "")}
               for answer in answers]
    tags = [tag.findtext("text") or "" for tag in question.findall("tags/tag")]
    item = ExternalItem(source_id=(question.findtext("idnumber") or name).strip(),
                        type="single_best_answer" if single and len(key) == 1 else "multiple_response",
                        stem=_plain(_without_scenario(question.findtext("questiontext/text") or "")), options=options, key=key)
    _apply_tags(item, tags, question.findtext("questiontext/text") or "")
    return item


def _apply_tags(item, tags, question_html):
    values = {}
    for tag in tags:
        name, _, value = tag.partition(":")
        values.setdefault(name, []).append(value)
    item.kss = (values.get("KSS") or [None])[0]
    item.also_kss = values.get("KSS-also", [])
    item.tier = (values.get("tier") or [None])[0]
    item.difficulty = (values.get("difficulty") or ["medium"])[0]
    item.references = values.get("reference", [])
    if values.get("scenario"):
        item.kind, item.scenario, item.stage = "applied", values["scenario"][0], (values.get("stage") or [None])[0]
    elif 'class="scenario"' in question_html:
        item.stem = _plain(question_html)  # a scenario we do not know stays part of the stem


def _without_scenario(question_html):
    return re.sub(r'<div class="scenario"[^>]*>.*?</div>', "", question_html, flags=re.DOTALL)


class _TextOnly(HTMLParser):
    BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "li", "tr"}

    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def _plain(fragment: str) -> str:
    parser = _TextOnly()
    parser.feed(fragment)
    text = "".join(parser.parts)
    paragraphs = [" ".join(part.split()) for part in text.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)
