"""All tables live here, one module per area; importing this package registers every model."""

from survey.models.audit import AuditEvent
from survey.models.base import Base, utcnow
from survey.models.calllist import (
    Call,
    CallList,
    CallTarget,
    PasswordLink,
    call_list_associations,
    call_list_callers,
)
from survey.models.campaign import (
    Assignment,
    AssignmentStatus,
    MatchRule,
    MatchRun,
    RuleKind,
    Shift,
    Task,
    TaskKind,
)
from survey.models.correction import CorrectionStatus, RegistryCorrection
from survey.models.job import Job, JobStatus
from survey.models.member import ErasedMember, Member, MemberStatus, NetworkMembership
from survey.models.messaging import MemberImport, MessageStatus, OutgoingMessage
from survey.models.organisation import Organisation, OrganisationKind
from survey.models.printing import HeldShift, ShiftAttendance
from survey.models.profile import Profile, ProfileInterval, ProfileSkill, ProfileTag
from survey.models.submission import Answer, RegistryMatch, Submission, SubmissionStatus, SurveyLink
from survey.models.survey import Option, Question, Section, SignatureMode, Survey
from survey.models.user import Role, User, user_associations

__all__ = [
    "Answer", "Assignment", "AssignmentStatus", "AuditEvent", "Base", "Call", "CallList", "CallTarget",
    "CorrectionStatus", "ErasedMember", "HeldShift", "Job", "JobStatus", "MatchRule", "MatchRun", "Member",
    "MemberImport", "MemberStatus", "MessageStatus", "NetworkMembership", "Option", "Organisation",
    "OrganisationKind", "OutgoingMessage", "PasswordLink", "Profile", "ProfileInterval", "ProfileSkill",
    "ProfileTag", "Question", "RegistryCorrection", "RegistryMatch", "Role", "RuleKind", "Section", "Shift",
    "ShiftAttendance", "SignatureMode", "Submission", "SubmissionStatus", "Survey", "SurveyLink", "Task",
    "TaskKind", "User", "call_list_associations", "call_list_callers", "user_associations", "utcnow",
]
