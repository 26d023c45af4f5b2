"""Forms for standard setting. Ratings are entered as whole percentages and stored as probabilities."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.forms import OneOfTheChoices
from app.scoring import MIN_RATINGS


class PercentField(IntegerField):
    """A whole percentage; text that is not a whole number gets `message`, not WTForms' own."""

    def __init__(self, label, message, **kwargs):
        super().__init__(label, widget=GovTextInput(), validators=[*kwargs.pop("validators", []), NumberRange(min=0, max=100, message=message)],
                         **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.message) from error


class PanellistsField(SelectMultipleField):
    widget = GovCheckboxesInput()

    def pre_validate(self, form):
        unknown = set(self.data or []) - {choice.value for choice in self.choices}
        if unknown:
            raise ValidationError("Select panellists from the list shown")


class OpenPanelForm(FlaskForm):
    tier = RadioField("Tier", widget=GovRadioInput(), validate_choice=False,
                      validators=[InputRequired(message="Select the tier the panel sets the standard for"),
                                  OneOfTheChoices("Select one of the tiers shown")])
    title = StringField("Name of the panel", widget=GovTextInput(), description="For example, Practitioner panel, spring 2027",
                        validators=[InputRequired(message="Enter a name for the panel"),
                                    Length(max=120, message="The name must be 120 characters or fewer")])
    panellists = PanellistsField("Panellists", description=f"Assessors and moderators. Choose at least {MIN_RATINGS}.",
                                 validators=[InputRequired(message=f"Select at least {MIN_RATINGS} panellists")])
    include_rated = BooleanField("Include items that already have an agreed rating (to set the standard again)",
                                 widget=GovCheckboxInput())
    submit = SubmitField("Open panel", widget=GovSubmitInput())

    def __init__(self, *args, tiers=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = [SelectChoice(t.code, t.name) for t in tiers]
        self.panellists.choices = [SelectChoice(str(p.id), f"{p.name} ({p.email})") for p in people]

    def validate_panellists(self, field):
        if len(set(field.data or [])) < MIN_RATINGS:
            raise ValidationError(f"Select at least {MIN_RATINGS} panellists: an agreed rating needs {MIN_RATINGS} judgements")


def rating_field_name(version_id: int) -> str:
    return f"rating_{version_id}"


def rating_form(items):
    """A form with one optional percentage per item on the page: `items` are (version id, item code)."""
    fields = {
        rating_field_name(version_id): PercentField(
            f"{code}: chance that a borderline candidate answers correctly", f"{code}: enter a whole number from 0 to 100",
            validators=[Optional()])
        for version_id, code in items
    }
    fields["submit"] = SubmitField("Save and continue", widget=GovSubmitInput())
    return type("RatingForm", (FlaskForm,), fields)


class AgreeItemForm(FlaskForm):
    value = PercentField("Agreed rating", "Enter the agreed rating as a whole number from 0 to 100",
                         validators=[InputRequired(message="Enter the agreed rating as a whole number from 0 to 100")])
    reason = TextAreaField("Why the panel agreed this value", widget=GovTextArea(),
                           validators=[InputRequired(message="Enter the reason for the record"), Length(max=500)])
    submit = SubmitField("Record agreed rating", widget=GovSubmitInput())
