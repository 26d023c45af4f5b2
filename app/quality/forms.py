"""Forms for regrading and equality monitoring."""

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.forms import OneOfTheChoices
from app.models import AgeBand, Disability, EthnicGroup, Sex
from app.quality.regrading import MIN_REASON

REASON_MESSAGE = f"Enter the reason, in at least {MIN_REASON} characters: it is kept in the audit log"


def _reason(label: str, hint: str) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), description=hint,
                         validators=[InputRequired(message=REASON_MESSAGE), Length(min=MIN_REASON, max=1000, message=REASON_MESSAGE)])


class KeyCorrectionForm(FlaskForm):
    key = StringField("Correct key", widget=GovTextInput())
    key_reason = _reason("Why the key was wrong", "For example, what the reviewer found and who confirmed the correct answer.")
    correct = SubmitField("Correct the key and rescore", widget=GovSubmitInput())

    def letters(self) -> list[str]:
        return [letter for letter in re.split(r"[\s,;]+", (self.key.data or "").upper()) if letter]


class VoidForm(FlaskForm):
    void_reason = _reason("Why the question cannot be marked fairly", "For example, two options are equally defensible, or the stem is ambiguous.")
    void = SubmitField("Void the question and rescore", widget=GovSubmitInput())


class ReinstateForm(FlaskForm):
    reinstate_reason = _reason("Why the question should count again", "For example, the void was made on the wrong question.")
    reinstate = SubmitField("Reinstate the question and rescore", widget=GovSubmitInput())


class ReviewForm(FlaskForm):
    note = TextAreaField("What you checked", widget=GovTextArea(),
                         description="For example, that the corrected key is right and the candidate's answers were rescored.",
                         validators=[InputRequired(message=f"Enter what you checked, in at least {MIN_REASON} characters"),
                                     Length(min=MIN_REASON, max=1000, message=f"Enter what you checked, in at least {MIN_REASON} characters")])
    submit = SubmitField("Confirm the new decision", widget=GovSubmitInput())


AGE_BANDS = [(AgeBand.UNDER_25.value, "Under 25"), (AgeBand.FROM_25_TO_34.value, "25 to 34"), (AgeBand.FROM_35_TO_44.value, "35 to 44"),
             (AgeBand.FROM_45_TO_54.value, "45 to 54"), (AgeBand.FROM_55.value, "55 or over"), (AgeBand.NOT_SAID.value, "Prefer not to say")]
SEXES = [(Sex.FEMALE.value, "Female"), (Sex.MALE.value, "Male"), (Sex.NOT_SAID.value, "Prefer not to say")]
ETHNIC_GROUPS = [(EthnicGroup.ASIAN.value, "Asian or Asian British"),
                 (EthnicGroup.BLACK.value, "Black, Black British, Caribbean or African"),
                 (EthnicGroup.MIXED.value, "Mixed or multiple ethnic groups"), (EthnicGroup.WHITE.value, "White"),
                 (EthnicGroup.OTHER.value, "Another ethnic group"), (EthnicGroup.NOT_SAID.value, "Prefer not to say")]
DISABILITIES = [(Disability.YES.value, "Yes"), (Disability.NO.value, "No"), (Disability.NOT_SAID.value, "Prefer not to say")]
LABELS = {"age_band": dict(AGE_BANDS), "sex": dict(SEXES), "ethnic_group": dict(ETHNIC_GROUPS), "disability": dict(DISABILITIES)}


def _choice(label: str, choices, message: str) -> RadioField:
    return RadioField(label, choices=[SelectChoice(value, text) for value, text in choices], widget=GovRadioInput(),
                      validators=[InputRequired(message=message), OneOfTheChoices(message)], validate_choice=False)


class EqualityForm(FlaskForm):
    age_band = _choice("What is your age?", AGE_BANDS, "Select your age group, or Prefer not to say")
    sex = _choice("What is your sex?", SEXES, "Select your sex, or Prefer not to say")
    ethnic_group = _choice("What is your ethnic group?", ETHNIC_GROUPS, "Select your ethnic group, or Prefer not to say")
    disability = _choice("Do you consider yourself to have a disability, as defined by the Equality Act 2010?", DISABILITIES,
                         "Select yes, no, or Prefer not to say")
    consent = BooleanField("I agree that my answers can be used, as set out above, to check the assessment is fair",
                           widget=GovCheckboxInput(), validators=[InputRequired(message="Tick the box to agree, or leave this page without answering")])
    submit = SubmitField("Save my answers", widget=GovSubmitInput())
