"""Form parts shared by every domain's forms."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import DateField, SubmitField
from wtforms.validators import ValidationError


class ButtonForm(FlaskForm):
    """A form that is only a button: its CSRF token protects a state-changing POST."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class OneOfTheChoices:
    """For choice fields whose options are set at run time (validate_choice=False): WTForms' own
    check says only "Not a valid choice", which tells a user nothing."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(self.message)


class ThreePartDateField(DateField):
    """A GOV.UK date input (day, month, year). Blank parts are a missing date (for InputRequired to
    name), and a request without all three parts (never sent by a browser) is read as blank parts."""

    def process_formdata(self, valuelist):
        if len(valuelist) != 3:
            valuelist = [*valuelist[:3], *[""] * (3 - len(valuelist[:3]))]
        self.raw_data = valuelist
        if not any(value.strip() for value in valuelist):
            self.data = None
            return
        super().process_formdata(valuelist)
