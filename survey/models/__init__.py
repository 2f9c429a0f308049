"""All tables live here, one module per area; importing this package registers every model."""

from survey.models.base import Base, utcnow
from survey.models.member import Member
from survey.models.organisation import Organisation, OrganisationKind
from survey.models.profile import Profile, ProfileInterval, ProfileSkill, ProfileTag
from survey.models.submission import Answer, RegistryMatch, Submission, SubmissionStatus, SurveyLink
from survey.models.survey import Option, Question, Section, SignatureMode, Survey
from survey.models.user import Role, User

__all__ = [
    "Answer", "Base", "Member", "Option", "Organisation", "OrganisationKind", "Profile", "ProfileInterval",
    "ProfileSkill", "ProfileTag", "Question", "RegistryMatch", "Role", "Section", "SignatureMode",
    "Submission", "SubmissionStatus", "Survey", "SurveyLink", "User", "utcnow",
]
