"""Forms for endorsement, assessment windows, booking, blueprints and sitting the assessment."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
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
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.forms import OneOfTheChoices, ThreePartDateField
from app.models import AssessmentMode


class EndorseForm(FlaskForm):
    tier = RadioField("Tier", widget=GovRadioInput(), validate_choice=False,
                      validators=[InputRequired(message="Select the tier you are endorsing them for"),
                                  OneOfTheChoices("Select one of the tiers shown")])
    statement = TextAreaField(
        "Your endorsement statement",
        description="Briefly say how their practice meets the statements for this tier, and what you based this on.",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter your endorsement statement"),
                    Length(min=30, max=2000, message="Endorsement statement must be between 30 and 2,000 characters")],
    )
    reviewed = BooleanField("I have reviewed their practice against the Knowledge and Skills Statements for this tier",
                            widget=GovCheckboxInput(),
                            validators=[InputRequired(message="Confirm you have reviewed their practice against the statements")])
    submit = SubmitField("Endorse", widget=GovSubmitInput())

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = [SelectChoice(tier.code, tier.name) for tier in tiers]



class WithdrawForm(FlaskForm):
    reason = TextAreaField("Why are you withdrawing this endorsement?", widget=GovTextArea(),
                           validators=[InputRequired(message="Enter why you are withdrawing the endorsement"), Length(max=500)])
    submit = SubmitField("Withdraw endorsement", widget=GovSubmitInput())


LONDON = ZoneInfo("Europe/London")


def london_time(date_field, time_field):
    """The UTC instant of a date and a 24-hour HH:MM time entered in UK time."""
    hours, minutes = (int(part) for part in time_field.data.split(":"))
    local = datetime.combine(date_field.data, datetime.min.time()).replace(hour=hours, minute=minutes, tzinfo=LONDON)
    return local.astimezone(timezone.utc)


def _time_field(label):
    return StringField(label, description="24-hour clock, UK time, for example 09:30", widget=GovTextInput(),
                       validators=[InputRequired(message=f"Enter the {label.lower()}"),
                                   Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=f"Enter the {label.lower()} as hours and minutes, like 09:30")])


class WindowForm(FlaskForm):
    tier = RadioField("Tier", widget=GovRadioInput(), validate_choice=False,
                      validators=[InputRequired(message="Select the tier"), OneOfTheChoices("Select one of the tiers shown")])
    opens_on = ThreePartDateField("Opening date", format="%d %m %Y", widget=GovDateInput(),
                         validators=[InputRequired(message="Enter the opening date")])
    opens_time = _time_field("Opening time")
    closes_on = ThreePartDateField("Closing date", format="%d %m %Y", widget=GovDateInput(),
                          validators=[InputRequired(message="Enter the closing date")])
    closes_time = _time_field("Closing time")
    capacity = IntegerField("Places", widget=GovTextInput(),
                            validators=[InputRequired(message="Enter the number of places"),
                                        NumberRange(min=1, max=100000, message="Places must be between 1 and 100,000")])
    mode = RadioField("How candidates sit it", widget=GovRadioInput(), validate_choice=False,
                      choices=[SelectChoice(mode.value, mode.label) for mode in AssessmentMode],
                      validators=[InputRequired(message="Select how candidates sit the assessment")])
    location = StringField("Centre (for centre windows)", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    change_cutoff_hours = IntegerField("Candidates can cancel or move until this many hours before opening", default=48,
                                       widget=GovTextInput(),
                                       validators=[InputRequired(message="Enter the cut-off in hours"),
                                                   NumberRange(min=0, max=24 * 60, message="Cut-off must be between 0 and 1,440 hours")])
    submit = SubmitField("Create window", widget=GovSubmitInput())

    def __init__(self, *args, tiers=(), now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = [SelectChoice(tier.code, tier.name) for tier in tiers]
        self.now = now


    def validate_mode(self, field):
        if field.data not in {mode.value for mode in AssessmentMode}:
            raise ValidationError("Select how candidates sit the assessment")
        if field.data == AssessmentMode.CENTRE.value and not (self.location.data or "").strip():
            raise ValidationError("Enter the centre for a window at an assessment centre")

    def validate_closes_time(self, field):
        if self.errors or not all(f.data for f in (self.opens_on, self.closes_on, self.opens_time, field)):
            return
        if self.closes_at <= self.opens_at:
            raise ValidationError("The window must close after it opens")
        if self.now and self.opens_at <= self.now:
            raise ValidationError("The window must open in the future")

    @property
    def opens_at(self):
        return london_time(self.opens_on, self.opens_time)

    @property
    def closes_at(self):
        return london_time(self.closes_on, self.closes_time)


def share_results_field():
    """The candidate's consent to their employer seeing their detailed results: an active choice."""
    return RadioField(
        "Can your employer see your detailed results?", widget=GovRadioInput(), validate_choice=False,
        choices=[SelectChoice("yes", "Yes, share my results, scores and feedback on each statement with my employer"),
                 SelectChoice("no", "No, my employer sees only whether I am accredited")],
        description="Your employer can use your results to plan your development. You can change this at any time from your account.",
        validators=[InputRequired(message="Choose whether your employer can see your detailed results"),
                    OneOfTheChoices("Choose yes or no")])


class ChooseWindowForm(FlaskForm):
    window = RadioField("Choose a window", widget=GovRadioInput(), validate_choice=False,
                        validators=[InputRequired(message="Choose a window"), OneOfTheChoices("Choose one of the windows shown")])
    share_results = share_results_field()
    submit = SubmitField("Book this place", widget=GovSubmitInput())

    def __init__(self, *args, windows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.window.choices = [SelectChoice(str(w.id), label) for w, label in windows]


class MoveBookingForm(ChooseWindowForm):
    share_results = None  # asked when booking; moving does not change it


class ResultsSharingForm(FlaskForm):
    share_results = share_results_field()
    submit = SubmitField("Save your choice", widget=GovSubmitInput())

class AdjustmentsForm(FlaskForm):
    extra_time_percent = RadioField(
        "Extra time", widget=GovRadioInput(), validate_choice=False, default="0",
        choices=[SelectChoice("0", "None"), SelectChoice("25", "25% extra time"), SelectChoice("50", "50% extra time"),
                 SelectChoice("100", "100% extra time (double time)")],
        validators=[InputRequired(message="Select how much extra time you need")])
    rest_breaks = BooleanField("Rest breaks that pause the clock", widget=GovCheckboxInput())
    screen_reader = BooleanField("I use a screen reader", widget=GovCheckboxInput())
    larger_text = BooleanField("Larger text", widget=GovCheckboxInput())
    other_needs = TextAreaField("Anything else you need (optional)", widget=GovTextArea(),
                                validators=[Optional(), Length(max=1000, message="Other needs must be 1,000 characters or fewer")])
    submit = SubmitField("Send request", widget=GovSubmitInput())

    def validate_extra_time_percent(self, field):
        if field.data not in {"0", "25", "50", "100"}:
            raise ValidationError("Select one of the amounts of extra time shown")
        # Checked here rather than on the optional text box, whose validation stops when it is empty.
        asked = (field.data != "0", self.rest_breaks.data, self.screen_reader.data, self.larger_text.data,
                 (self.other_needs.data or "").strip())
        if not any(asked):
            raise ValidationError("Select at least one adjustment, or describe what you need")

class DecisionForm(FlaskForm):
    decision = RadioField("Decision", widget=GovRadioInput(), validate_choice=False,
                          choices=[SelectChoice("approve", "Approve"), SelectChoice("decline", "Decline")],
                          validators=[InputRequired(message="Select approve or decline"), OneOfTheChoices("Select approve or decline")])
    note = TextAreaField("Note to record with the decision", widget=GovTextArea(),
                         validators=[InputRequired(message="Enter a note for the record"), Length(max=500)])
    submit = SubmitField("Record decision", widget=GovSubmitInput())

class BlueprintForm(FlaskForm):
    time_limit_minutes = IntegerField("Time limit in minutes", widget=GovTextInput(),
                                      validators=[InputRequired(message="Enter the time limit"),
                                                  NumberRange(min=10, max=240, message="Time limit must be between 10 and 240 minutes")])
    general = IntegerField("General items", widget=GovTextInput(),
                           validators=[InputRequired(message="Enter the number of general items"),
                                       NumberRange(min=0, max=100, message="General items must be between 0 and 100")])
    general_from = RadioField("General items come from the statements of", widget=GovRadioInput(), validate_choice=False,
                              validators=[InputRequired(message="Select the tier the general items come from"),
                                          OneOfTheChoices("Select one of the tiers shown")])
    applied = IntegerField("Applied (scenario) items", widget=GovTextInput(),
                           validators=[InputRequired(message="Enter the number of applied items"),
                                       NumberRange(min=0, max=100, message="Applied items must be between 0 and 100")])
    max_scenarios = IntegerField("Most scenarios on one form", widget=GovTextInput(),
                                 validators=[InputRequired(message="Enter the most scenarios on one form"),
                                             NumberRange(min=1, max=10, message="Scenarios must be between 1 and 10")])
    multiple_response_rule = RadioField(
        "How multiple response (3 of 8) items are scored", widget=GovRadioInput(), validate_choice=False,
        choices=[SelectChoice("all_or_nothing", "All or nothing: 1 mark for exactly the three keyed options, otherwise 0"),
                 SelectChoice("per_option", "Partial credit: a third of a mark for each keyed option chosen, less a third for "
                                            "each other option chosen, never below 0")],
        validators=[InputRequired(message="Select how multiple response items are scored"),
                    OneOfTheChoices("Select one of the scoring rules shown")])
    statement_minimum_percent = IntegerField(
        "Minimum on every statement to pass (optional)", widget=GovTextInput(),
        description="Leave blank for none. If set, a candidate must also reach this percentage on each statement of their form, "
                    "as well as the form's cut score.",
        validators=[Optional(), NumberRange(min=1, max=100, message="The minimum must be between 1%% and 100%%, or blank for none")])
    submit = SubmitField("Save blueprint", widget=GovSubmitInput())

    statement_fields: list[str] = []

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.general_from.choices = [SelectChoice(tier.code, tier.name) for tier in tiers]

    def validate_max_scenarios(self, field):
        minimums = sum(getattr(self, name).data or 0 for name in self.statement_fields)
        if (self.general.data or 0) + (self.applied.data or 0) < minimums:
            raise ValidationError(f"The statement minimums add up to {minimums}, more than the {self.general.data + self.applied.data} items on a form")

    @property
    def minimums(self) -> dict[str, int]:
        return {name.removeprefix("min_"): getattr(self, name).data for name in self.statement_fields}

def blueprint_form(statements):
    """A BlueprintForm with one 'at least' field per statement of the tier (statements are data)."""
    fields = {
        f"min_{s.code}": IntegerField(f"{s.code} {s.title}", widget=GovTextInput(), validators=[
            InputRequired(message=f"Enter the minimum number of items for {s.code}"),
            NumberRange(min=0, max=30, message=f"The minimum for {s.code} must be between 0 and 30")])
        for s in statements
    }
    return type("TierBlueprintForm", (BlueprintForm,), {**fields, "statement_fields": list(fields)})

# Sitting the assessment -------------------------------------------------------------------------

class StartForm(FlaskForm):
    ready = BooleanField("I have read the rules and I am ready to start", widget=GovCheckboxInput(),
                         validators=[InputRequired(message="Confirm you have read the rules and are ready to start")])
    submit = SubmitField("Start assessment", widget=GovSubmitInput())

NAVIGATION = ("next", "previous", "list", "check", "stay")

class AnswerForm(FlaskForm):
    """One question's answer, posted by "Save and continue" and the other navigation buttons. The
    answer's letters are checked against the question by its item type (AnswerRefused)."""

    answer = SelectMultipleField("Answer", validate_choice=False)
    flagged = BooleanField("Flag this question to review later")
    revision = IntegerField("Revision", validators=[InputRequired(message="This page is out of date: reload it"),
                                                    NumberRange(min=1, message="This page is out of date: reload it")])
    go = StringField("Go", validators=[AnyOf(NAVIGATION, message="Choose where to go next")])
    rank_fields: list[str] = []

    def letters(self) -> list[str]:
        """The answer as option letters; for a ranking, ordered by the ranks given."""
        if not self.rank_fields:
            return list(self.answer.data or [])
        ranks = {name.removeprefix("rank_"): getattr(self, name).data for name in self.rank_fields}
        if all(rank is None for rank in ranks.values()):
            return []
        if sorted(rank or 0 for rank in ranks.values()) != list(range(1, len(ranks) + 1)):
            getattr(self, self.rank_fields[0]).errors.append(f"Give each option a different rank from 1 to {len(ranks)}")
            raise ValidationError("ranks")
        return sorted(ranks, key=ranks.get)

def answer_form(option_letters: list[str] | None = None):
    """An AnswerForm; for a ranking question, with one rank field per option letter."""
    if not option_letters:
        return AnswerForm
    fields = {f"rank_{letter}": IntegerField(f"Rank for option {letter}", validators=[
        Optional(), NumberRange(min=1, max=len(option_letters), message=f"Ranks go from 1 to {len(option_letters)}")])
        for letter in option_letters}
    return type("RankingAnswerForm", (AnswerForm,), {**fields, "rank_fields": list(fields)})

class ExtendTimeForm(FlaskForm):
    minutes = IntegerField("Extra minutes", widget=GovTextInput(),
                           validators=[InputRequired(message="Enter the extra minutes"),
                                       NumberRange(min=1, max=120, message="Extra time must be between 1 and 120 minutes")])
    reason = TextAreaField("Reason", description="For example: a fire alarm at the centre, or a connection failure you have checked.",
                           widget=GovTextArea(),
                           validators=[InputRequired(message="Enter the reason for the extra time"),
                                       Length(min=10, max=500, message="Reason must be between 10 and 500 characters")])
    submit = SubmitField("Extend time", widget=GovSubmitInput())
