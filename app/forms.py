"""Form parts shared by every domain's forms."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField
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
