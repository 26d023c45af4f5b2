"""The small valid bank that the bank tests break in one place at a time."""

import shutil
from pathlib import Path

import pytest

SHIPPED = Path(__file__).resolve().parents[2] / "question_bank"

SCENARIO = """\
id: prac-sc-90
tier: practitioner
kind: case
title: Test family
stages:
  - id: referral
    title: The referral
    text: A nursery reports that Sami, aged 3, has arrived hungry on four mornings this month.
  - id: visit
    title: The home visit
    text: At the visit the flat is cold and there is little food; his father says money has run out.
"""

ITEMS = """\
items:
  - id: prac-9001
    tier: practitioner
    kss: P5
    also_kss: [P6]
    kind: applied
    scenario: prac-sc-90
    stage: visit
    type: single_best_answer
    difficulty: medium
    status: live
    stem: After the visit, what should the social worker do first?
    options:
      - text: Agree a plan with the father to get food and heating today
        rationale: Meets the immediate need with the parent, which is proportionate here.
      - text: Close the case because the father was cooperative
        rationale: Cooperation does not resolve the unmet needs that were found.
      - text: Start care proceedings without further assessment
        rationale: Nothing suggests significant harm that would need the court now.
      - text: Ask the nursery to monitor and report back in a month
        rationale: This delays help for a child who is hungry now.
    key: [A]
  - id: prac-9002
    tier: practitioner
    kss: P8
    kind: general
    type: multiple_response
    difficulty: hard
    status: live
    stem: A 15-year-old asks to be accommodated. Select three things the social worker must consider.
    options:
      - text: The young person's wishes and feelings
        rationale: Section 20 requires the child's wishes to be ascertained and considered.
      - text: Whether anyone with parental responsibility objects
        rationale: A parent able to provide accommodation can object, subject to the 16+ exception.
      - text: Whether the young person needs accommodation
        rationale: The duty turns on whether the child requires accommodation.
      - text: The family's postcode
        rationale: Where the family lives does not decide whether the duty applies.
      - text: The school's view of the parents
        rationale: Useful information, but not a statutory test for accommodation.
      - text: The cost of a placement
        rationale: Cost cannot decide whether the statutory duty applies.
      - text: Whether the police agree
        rationale: The police have no role in consenting to accommodation.
      - text: The young person's exam results
        rationale: Attainment is irrelevant to whether accommodation is needed.
    key: [A, B, C]
    references: ["Children Act 1989, section 20"]
"""


@pytest.fixture
def bank(tmp_path):
    """A copy of the shipped framework with one scenario and two items."""
    root = tmp_path / "question_bank"
    shutil.copytree(SHIPPED / "framework", root / "framework")
    (root / "scenarios" / "practitioner").mkdir(parents=True)
    (root / "items" / "practitioner").mkdir(parents=True)
    (root / "scenarios" / "practitioner" / "prac-sc-90.yaml").write_text(SCENARIO)
    (root / "items" / "practitioner" / "test.yaml").write_text(ITEMS)
    return root
