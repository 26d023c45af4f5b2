"""Employers' forms."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import SelectChoice, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.accounts.forms import email_field
from app.admin.forms import name_field, swe_number_field
from app.models import SCOPES


class InviteCandidateForm(FlaskForm):
    name = name_field()
    email = email_field("Work email address", whose="their work")
    swe_number = swe_number_field(required=True)
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ApiKeyForm(FlaskForm):
    name = StringField("Name of the key", description="The system that will use it, such as 'HR system (live)'",
                       validators=[InputRequired(message="Enter a name for the key"), Length(max=100, message="The name must be 100 characters or fewer")],
                       widget=GovTextInput())
    scopes = SelectMultipleField("What may the key do?", description="A key can do only what you choose here. Choose all that apply.",
                                 choices=[SelectChoice(value, text) for value, text in SCOPES.items()], widget=GovCheckboxesInput(),
                                 validators=[InputRequired(message="Choose what the key may do")])
    submit = SubmitField("Create key", widget=GovSubmitInput())
