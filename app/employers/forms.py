"""Employers' forms."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from app.accounts.forms import email_field
from app.admin.forms import name_field, swe_number_field


class InviteCandidateForm(FlaskForm):
    name = name_field()
    email = email_field("Work email address", whose="their work")
    swe_number = swe_number_field(required=True)
    submit = SubmitField("Send invitation", widget=GovSubmitInput())
