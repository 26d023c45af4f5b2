"""Forms for endorsement."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import BooleanField, RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError


class EndorseForm(FlaskForm):
    tier = RadioField("Tier", widget=GovRadioInput(), validate_choice=False,
                      validators=[InputRequired(message="Select the tier you are endorsing them for")])
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

    def validate_tier(self, field):
        if field.data not in {choice.value for choice in self.tier.choices}:
            raise ValidationError("Select one of the tiers shown")


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Why are you withdrawing this endorsement?", widget=GovTextArea(),
                           validators=[InputRequired(message="Enter why you are withdrawing the endorsement"), Length(max=500)])
    submit = SubmitField("Withdraw endorsement", widget=GovSubmitInput())
