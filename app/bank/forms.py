"""Administrators' forms for the bank."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import FieldList, Form, FormField, RadioField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.forms import OneOfTheChoices
from app.models import ItemStatus


class OptionForm(Form):
    text = TextAreaField("Option", validators=[InputRequired(message="Enter the option's text")], widget=GovTextArea())
    rationale = TextAreaField("Rationale", validators=[InputRequired(message="Enter a rationale for this option")],
                              widget=GovTextArea())


def _letters(value):
    return [part.strip().upper() for part in (value or "").replace(",", " ").split() if part.strip()]


def _lines(value):
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ItemForm(FlaskForm):
    kss = SelectField("Primary statement", widget=GovSelect(), validate_choice=False,
                      validators=[OneOfTheChoices("Select a statement from the list")])
    also_kss = StringField("Secondary statements (optional)", description="Codes separated by commas, for example P6, P7",
                           widget=GovTextInput())
    difficulty = RadioField("Difficulty", choices=[SelectChoice(v, v.capitalize()) for v in ("easy", "medium", "hard")],
                            widget=GovRadioInput(), validators=[InputRequired(message="Select a difficulty")])
    stem = TextAreaField("Stem", description="The vignette and the question.", widget=GovTextArea(),
                         validators=[InputRequired(message="Enter the stem")])
    options = FieldList(FormField(OptionForm), min_entries=1)
    key = StringField("Key", description="Option letters: one for single best answer, three for multiple response, "
                                         "all in order (best first) for ranking", widget=GovTextInput(),
                      validators=[InputRequired(message="Enter the key")])
    references = TextAreaField("References (optional)", description="One per line.", widget=GovTextArea())
    reason = TextAreaField("Why are you changing this item?", widget=GovTextArea(),
                           validators=[InputRequired(message="Say why you are changing this item"), Length(max=500)])
    submit = SubmitField("Save as a new version", widget=GovSubmitInput())

    def __init__(self, *args, statements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kss.choices = [SelectChoice(s.code, f"{s.code} {s.title}") for s in statements]


    def changes(self) -> dict:
        from app.bank.schema import OptionSpec

        return {
            "kss": self.kss.data, "also_kss": [code.upper() for code in _letters(self.also_kss.data)],
            "difficulty": self.difficulty.data, "stem": self.stem.data.strip(),
            "options": [OptionSpec.model_construct(text=o.text.data.strip(), rationale=o.rationale.data.strip()) for o in self.options],
            "key": _letters(self.key.data), "references": _lines(self.references.data),
        }


class StatusForm(FlaskForm):
    status = RadioField("Move this item to", widget=GovRadioInput(), validate_choice=False,
                        validators=[InputRequired(message="Select a status"), OneOfTheChoices("Select one of the statuses shown")])
    reason = TextAreaField("Reason", widget=GovTextArea(),
                           validators=[InputRequired(message="Give a reason for the change"), Length(max=500)])
    submit = SubmitField("Change status", widget=GovSubmitInput())

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice(status.value, status.value.capitalize()) for status in allowed]


    @property
    def target(self) -> ItemStatus:
        return ItemStatus(self.status.data)


class NewItemForm(ItemForm):
    reason = None  # a new item has no earlier version to explain
    submit = SubmitField("Save as a draft", widget=GovSubmitInput())


OPTION_COUNTS = {"single_best_answer": 4, "multiple_response": 8, "ranking": 5}
