"""Administrators' forms."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.accounts.forms import email_field, normalise_swe_number, swe_number_format
from app.models import OrganisationKind, Role

ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


def name_field(label="Full name", message="Enter the person's full name"):
    return StringField(label, filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
                       validators=[InputRequired(message=message), Length(max=200, message=f"{label} must be 200 characters or fewer")],
                       widget=GovTextInput())


def swe_number_field(required: bool):
    validators = [InputRequired(message="Enter the Social Work England registration number")] if required else [Optional()]
    return StringField(
        "Social Work England registration number" + ("" if required else " (if they have one)"),
        description="For example, SW123456",
        filters=[normalise_swe_number],
        validators=[*validators, swe_number_format],
        widget=GovTextInput(),
    )


class RolesField(SelectMultipleField):
    """Checkboxes of roles; the data is a list of Role."""

    widget = GovCheckboxesInput()

    def __init__(self, label="Roles", **kwargs):
        super().__init__(label, choices=ROLE_CHOICES,
                         validators=[InputRequired(message="Select at least one role")], **kwargs)

    def pre_validate(self, form):
        unknown = set(self.data or []) - {role.value for role in Role}
        if unknown:
            raise ValidationError(f"Select roles from the list ({', '.join(sorted(unknown))} is not a role)")

    @property
    def roles(self) -> list[Role]:
        known = {role.value for role in Role}
        return [Role(value) for value in self.data or [] if value in known]


class InviteUserForm(FlaskForm):
    name = name_field()
    email = email_field("Email address", whose="their")
    swe_number = swe_number_field(required=False)
    organisation = SelectField("Organisation", coerce=str, widget=GovSelect(), validate_choice=False, default="",
                               description="Employers and candidates belong to an organisation.")
    roles = RolesField(description="Select all that apply.")
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [SelectChoice("", "No organisation")] + [
            SelectChoice(str(o.id), o.name) for o in organisations
        ]

    def validate_organisation(self, field):
        field.data = field.data or ""
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Select an organisation from the list")

    def validate_roles(self, field):
        if field.errors:
            return
        needs_organisation = {Role.EMPLOYER, Role.CANDIDATE} & set(field.roles)
        if needs_organisation and not self.organisation.data:
            names = " and ".join(sorted(role.value for role in needs_organisation))
            raise ValidationError(f"Select an organisation: {names} accounts belong to one")
        if Role.CANDIDATE in field.roles and not self.swe_number.data:
            raise ValidationError("Candidates need a Social Work England registration number")


class RolesForm(FlaskForm):
    roles = RolesField()
    submit = SubmitField("Save roles", widget=GovSubmitInput())



class OrganisationForm(FlaskForm):
    name = name_field("Organisation name", "Enter the organisation's name")
    kind = RadioField("Type of organisation", choices=[SelectChoice(kind.value, kind.label) for kind in OrganisationKind],
                      validators=[InputRequired(message="Select the type of organisation")], widget=GovRadioInput(),
                      validate_choice=False)
    submit = SubmitField("Add organisation", widget=GovSubmitInput())

    def validate_kind(self, field):
        if field.data not in {kind.value for kind in OrganisationKind}:
            raise ValidationError("Select the type of organisation from the list")
