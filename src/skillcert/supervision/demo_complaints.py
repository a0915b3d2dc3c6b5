"""The demo province's complaints (投诉举报), submitted and handled through the services:

* a complaint about 滇池职业技术学校（演示） (Kunming) with a name and phone, assigned to
  and replied by the Kunming official (km_official), upheld;
* an anonymous report about 麒麟技工学校（演示） (Qujing), assigned to the Qujing official
  (qj_official) and still open.

Idempotent: a complaint with the same subject about the same institution is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from skillcert.core.demo import PROVINCE, demo_actor
from skillcert.core.models import Region, User
from skillcert.institutions.models import Institution
from skillcert.supervision import complaints
from skillcert.supervision.choices import ComplaintKind
from skillcert.supervision.models import Complaint


@dataclass(frozen=True)
class DemoComplaint:
    institution: str
    kind: str
    subject_text: str
    content: str
    official: str  # the demo login that handles it
    complainant_name: str = ""
    phone: str = ""
    reply: str = ""  # replied (upheld) when given, else left open


DEMO_COMPLAINTS: tuple[DemoComplaint, ...] = (
    DemoComplaint(
        institution="滇池职业技术学校（演示）",
        kind=ComplaintKind.COMPLAINT,
        subject_text="滇池职业技术学校（演示）考务人员",
        content="报名时工作人员要求另交500元“辅导费”，否则不予报名，未开具任何票据。",
        official="km_official",
        complainant_name="赵一（演示）",
        phone="13800001111",
        reply="经核实，该校个别工作人员违规收费属实，已责令退还费用并限期整改。",
    ),
    DemoComplaint(
        institution="麒麟技工学校（演示）",
        kind=ComplaintKind.REPORT,
        subject_text="麒麟技工学校（演示）理论考试考场",
        content="理论考试时有考生使用手机查询答案，监考人员未予制止。",
        official="qj_official",
    ),
)


@transaction.atomic
def seed_complaints_demo() -> str | None:
    """Two complaints; a line for ``seed_demo``, or None when nothing was added."""
    province = Region.objects.filter(code=PROVINCE).first()
    if province is None:
        return None
    added = replied = 0
    for spec in DEMO_COMPLAINTS:
        institution = Institution.objects.filter(organisation__name=spec.institution).first()
        if (
            institution is None
            or Complaint.objects.filter(
                institution=institution, subject_text=spec.subject_text
            ).exists()
        ):
            continue
        complaint = complaints.complaint_submit(
            province=province,
            kind=spec.kind,
            subject_text=spec.subject_text,
            content=spec.content,
            institution=institution,
            complainant_name=spec.complainant_name,
            phone=spec.phone,
        )
        official = demo_actor(spec.official)
        assignee = User.objects.get(username=spec.official)
        complaint = complaints.complaint_assign(
            actor=official, complaint=complaint, assignee=assignee
        )
        if spec.reply:
            complaints.complaint_reply(
                actor=official, complaint=complaint, reply=spec.reply, upheld=True
            )
            replied += 1
        added += 1
    if not added:
        return None
    return f"Complaints: {added} added ({replied} replied); status page /public/complaints/status/"
