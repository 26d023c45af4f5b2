"""One validator for choice fields whose options are set at run time (validate_choice=False):
WTForms' own check says only "Not a valid choice", which tells a user nothing."""

from wtforms.validators import ValidationError


class OneOfTheChoices:
    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(self.message)
