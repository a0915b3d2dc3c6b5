from skillcert.core.models.audit import AuditChainHead, AuditEvent
from skillcert.core.models.calendar import HolidayDay, HolidaySchedule
from skillcert.core.models.jobs import JOB_FINISHED, Job, JobStatus
from skillcert.core.models.organisations import Organisation, Region
from skillcert.core.models.policy import ProvincePolicy
from skillcert.core.models.tokens import ApiToken
from skillcert.core.models.users import Membership, User

__all__ = [
    "JOB_FINISHED",
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "HolidayDay",
    "HolidaySchedule",
    "Job",
    "JobStatus",
    "Membership",
    "Organisation",
    "ProvincePolicy",
    "Region",
    "User",
]
