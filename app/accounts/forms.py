"""Forms for signing in and setting passwords. Validation lives here, not in the views."""

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from app.accounts.passwords import password_problem

SWE_NUMBER = re.compile(r"^SW\d{1,10}$")


def normalise_email(value):
    return value.strip().lower() if isinstance(value, str) else value


def normalise_swe_number(value):
    return re.sub(r"\s+", "", value).upper() if isinstance(value, str) else value


def swe_number_format(_form, field):
    if field.data and not SWE_NUMBER.match(field.data):
        raise ValidationError(
            "Enter a Social Work England registration number in the correct format, like SW123456"
        )


def email_field(label="Email address", hint=None, whose="your"):
    return StringField(
        label,
        filters=[normalise_email],
        validators=[
            InputRequired(message=f"Enter {whose} email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(message="Enter an email address in the correct format, like name@example.org",
                  check_deliverability=False),
        ],
        widget=GovTextInput(),
        description=hint or "",
    )


class SignInForm(FlaskForm):
    email = email_field()
    password = PasswordField("Password", validators=[InputRequired(message="Enter your password")],
                             widget=GovPasswordInput())
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class PasswordResetRequestForm(FlaskForm):
    email = email_field(hint="We'll email you a link to choose a new password.")
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class ChoosePasswordForm(FlaskForm):
    """Used for invitation and reset links. `user` is the account the link belongs to."""

    password = PasswordField(
        "New password",
        description="Use 12 characters or more. A few random words together make a strong password.",
        validators=[InputRequired(message="Enter a new password")],
        widget=GovPasswordInput(),
    )
    confirm = PasswordField("Confirm new password",
                            validators=[InputRequired(message="Confirm your new password")],
                            widget=GovPasswordInput())
    submit = SubmitField("Save password", widget=GovSubmitInput())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field):
        problem = password_problem(field.data or "", email=self.user.email if self.user else "",
                                   name=self.user.name if self.user else "")
        if problem:
            raise ValidationError(problem)

    def validate_confirm(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError("The passwords you entered do not match")


class TwoFactorCodeForm(FlaskForm):
    code = StringField("Code", validators=[InputRequired(message="Enter the code from your authenticator app, or a recovery code")],
                       description="The 6-digit code your authenticator app shows now, or one of your recovery codes",
                       widget=GovTextInput())
    submit = SubmitField("Continue", widget=GovSubmitInput())


class TwoFactorSetupForm(FlaskForm):
    code = StringField("Code from your authenticator app", validators=[InputRequired(message="Enter the 6-digit code your authenticator app shows")],
                       widget=GovTextInput())
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())
