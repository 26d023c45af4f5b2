"""All tables, imported here so SQLModel.metadata is complete (Alembic and tests rely on it)."""

from app.models.accounts import (
    AccountToken,
    Organisation,
    OrganisationKind,
    Role,
    RoleMembership,
    TokenPurpose,
    User,
)
from app.models.audit import AuditEvent
from app.models.bank import Item, ItemStatus, ItemVersion, Scenario, ScenarioVersion
from app.models.certificates import (
    AccreditationPolicySetting,
    Appeal,
    AppealRemedy,
    AppealStatus,
    Certificate,
    CertificateStatus,
    ReminderSent,
    ShareLink,
    VerificationLookup,
)
from app.models.employers import SCOPES, ApiKey, ResultsSharing
from app.models.exams import (
    AdjustmentStatus,
    AssessmentForm,
    AssessmentMode,
    AssessmentWindow,
    Attempt,
    AttemptStatus,
    BlueprintSetting,
    Booking,
    BookingStatus,
    Endorsement,
    EndorsementStatus,
    FormItem,
    ReasonableAdjustment,
    Response,
)
from app.models.framework import Statement, Tier
from app.models.mail import MessageStatus, OutboxMessage
from app.models.practice import (
    AgreedMark,
    AssessorProfile,
    CalibrationAttempt,
    CalibrationExercise,
    ConflictOfInterest,
    CriterionMark,
    MarkerAllocation,
    Moderation,
    PracticeRoute,
    PracticeRuleSetting,
    PracticeSitting,
    SittingStatus,
    StationSet,
    StationSetVersion,
)
from app.models.quality import (
    AgeBand,
    CorrectionKind,
    Disability,
    EqualityMonitoring,
    EthnicGroup,
    ItemCorrection,
    RegradedAttempt,
    Sex,
)
from app.models.standards import AgreedRating, AngoffRating, PanelItem, PanelMember, PanelStatus, StandardSettingPanel
from app.models.two_factor import RecoveryCode, TwoFactor

__all__ = [
    "RecoveryCode",
    "TwoFactor",
    "SCOPES",
    "ApiKey",
    "ResultsSharing",
    "AssessmentForm", "FormItem", "Attempt", "AttemptStatus", "Response",
    "BlueprintSetting",
    "AccreditationPolicySetting", "Appeal", "AppealRemedy", "AppealStatus", "Certificate", "CertificateStatus", "ReminderSent", "ShareLink", "VerificationLookup",
    "AgreedMark", "AssessorProfile", "CalibrationAttempt", "CalibrationExercise", "ConflictOfInterest", "CriterionMark", "MarkerAllocation", "Moderation", "PracticeRoute",
    "PracticeRuleSetting", "PracticeSitting", "SittingStatus", "StationSet", "StationSetVersion",
    "AgeBand", "CorrectionKind", "Disability", "EqualityMonitoring", "EthnicGroup", "ItemCorrection", "RegradedAttempt", "Sex",
    "AgreedRating", "AngoffRating", "PanelItem", "PanelMember", "PanelStatus", "StandardSettingPanel",
    "AdjustmentStatus", "ReasonableAdjustment",
    "AssessmentMode", "AssessmentWindow", "Booking", "BookingStatus",
    "Endorsement", "EndorsementStatus",
    "Item", "ItemStatus", "ItemVersion", "Scenario", "ScenarioVersion",
    "AccountToken", "AuditEvent", "MessageStatus", "Organisation", "OrganisationKind",
    "OutboxMessage", "Role", "RoleMembership", "Statement", "Tier", "TokenPurpose", "User",
]
