"""Forms for observed practice. The marking and moderation forms have one field per criterion of the
sitting's station set, so they are read from the request by the routes (with a CSRF-only form)."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.exams.forms import _time_field, london_time
from app.forms import OneOfTheChoices, ThreePartDateField
from app.models import PracticeRoute


class ScheduleForm(FlaskForm):
    email = EmailField("Candidate's email address", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the candidate's email address"), Length(max=254)])
    tier = RadioField("Tier", widget=GovRadioInput(), validate_choice=False,
                      validators=[InputRequired(message="Select the tier"), OneOfTheChoices("Select one of the tiers shown")])
    route = RadioField("Route", widget=GovRadioInput(), validate_choice=False,
                       choices=[SelectChoice(route.value, route.label) for route in PracticeRoute],
                       validators=[InputRequired(message="Select how the practice is observed"),
                                   OneOfTheChoices("Select one of the routes shown")])
    on = ThreePartDateField("Date", format="%d %m %Y", widget=GovDateInput(), validators=[InputRequired(message="Enter the date")])
    time = _time_field("Start time")
    location = StringField("Where (centre, video link or workplace)", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    submit = SubmitField("Schedule and allocate assessors", widget=GovSubmitInput())

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = [SelectChoice(tier.code, tier.name) for tier in tiers]

    @property
    def scheduled_at(self):
        return london_time(self.on, self.time)


class CheckInForm(FlaskForm):
    identity_checked = BooleanField("I have checked the candidate's photo identity", widget=GovCheckboxInput())
    registration_confirmed = BooleanField("The candidate confirmed their Social Work England registration number", widget=GovCheckboxInput())
    filming_consent = BooleanField("The candidate consents to being filmed", widget=GovCheckboxInput())
    adjustments_in_place = BooleanField("Any approved reasonable adjustments are in place", widget=GovCheckboxInput())
    note = TextAreaField("Notes (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Check the candidate in", widget=GovSubmitInput())


class OverrideForm(FlaskForm):
    position = RadioField("Replace", widget=GovRadioInput(), validate_choice=False,
                          choices=[SelectChoice("1", "Assessor 1"), SelectChoice("2", "Assessor 2")],
                          validators=[InputRequired(message="Select which assessor to replace"), OneOfTheChoices("Select assessor 1 or 2")])
    assessor = SelectField("With", widget=GovSelect(), validate_choice=False,
                           validators=[InputRequired(message="Select the assessor"), OneOfTheChoices("Select one of the assessors listed")])
    reason = TextAreaField("Reason", widget=GovTextArea(),
                           validators=[InputRequired(message="Enter the reason for the change"),
                                       Length(min=10, max=500, message="Enter the reason in 10 to 500 characters")])
    submit = SubmitField("Change assessor", widget=GovSubmitInput())

    def __init__(self, *args, assessors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assessor.choices = [SelectChoice("", "Choose an assessor")] + [SelectChoice(str(a.id), a.name) for a in assessors]


class ProfileForm(FlaskForm):
    tiers = SelectMultipleField("Trained to assess", widget=GovCheckboxesInput(), validate_choice=False)
    capacity = IntegerField("Sittings they can mark at once", widget=GovTextInput(),
                            validators=[InputRequired(message="Enter the capacity as a whole number from 0 to 50"),
                                        NumberRange(min=0, max=50, message="Enter the capacity as a whole number from 0 to 50")])
    submit = SubmitField("Save profile", widget=GovSubmitInput())

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers.choices = [SelectChoice(tier.code, tier.name) for tier in tiers]

    def validate_tiers(self, field):
        known = {choice.value for choice in field.choices}
        if any(value not in known for value in field.data or []):
            raise ValidationError("Select tiers from the list")


class ConflictForm(FlaskForm):
    assessor = SelectField("Assessor", widget=GovSelect(), validate_choice=False,
                           validators=[InputRequired(message="Select the assessor"), OneOfTheChoices("Select one of the assessors listed")])
    email = EmailField("Candidate's email address", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the candidate's email address"), Length(max=254)])
    reason = StringField("The conflict", widget=GovTextInput(), description="For example, a former colleague or line manager.",
                         validators=[InputRequired(message="Say what the conflict is"), Length(min=5, max=500, message="Say what the conflict is in 5 to 500 characters")])
    submit = SubmitField("Declare conflict", widget=GovSubmitInput())

    def __init__(self, *args, assessors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assessor.choices = [SelectChoice("", "Choose an assessor")] + [SelectChoice(str(a.id), a.name) for a in assessors]


class RuleForm(FlaskForm):
    lowest_allowed = IntegerField("No criterion below", widget=GovTextInput(),
                                  validators=[InputRequired(message="Enter the lowest mark allowed, from 1 to 7"),
                                              NumberRange(min=1, max=7, message="Enter the lowest mark allowed, from 1 to 7")])
    mean_at_least = DecimalField("Station mean at least", places=1, widget=GovTextInput(),
                                 validators=[InputRequired(message="Enter the station mean needed, from 1 to 7"),
                                             NumberRange(min=1, max=7, message="Enter the station mean needed, from 1 to 7")])
    moderate_at = IntegerField("Send to a moderator when markers differ on a criterion by", widget=GovTextInput(),
                               validators=[InputRequired(message="Enter the difference that needs a moderator, from 1 to 6"),
                                           NumberRange(min=1, max=6, message="Enter the difference that needs a moderator, from 1 to 6")])
    submit = SubmitField("Save rules", widget=GovSubmitInput())


class ReconsiderForm(FlaskForm):
    position = RadioField("Which assessor", widget=GovRadioInput(), validate_choice=False,
                          choices=[SelectChoice("1", "Assessor 1"), SelectChoice("2", "Assessor 2")],
                          validators=[InputRequired(message="Select which assessor should look again"), OneOfTheChoices("Select assessor 1 or 2")])
    note = TextAreaField("What they should look at again", widget=GovTextArea(),
                         validators=[InputRequired(message="Say what the assessor should look at again"),
                                     Length(min=10, max=1000, message="Say what to look at again in 10 to 1,000 characters")])
    submit = SubmitField("Ask them to reconsider", widget=GovSubmitInput())
