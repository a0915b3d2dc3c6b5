"""Demo institutions in every filing state, built through the services.

Runs after the core demo (organisations, officials) and the catalogue demo (standards
with ``is_demo=True``). Idempotent: if the demo institutions exist it does nothing.

=========================  ========  ======================  =============================
institution                city      type                    state
=========================  ========  ======================  =============================
滇池职业技术学校（演示）   Kunming   secondary vocational    ACTIVE (approved) + an
                                                             addition in DRAFT
麒麟技工学校（演示）       Qujing    technical school        SUBMITTED, decision overdue
春城高等职业技术学院（演示）Kunming  higher vocational       RETURNED
滇中技师学院（演示）       Kunming   technical school        ACCEPTED
云岭装备制造有限公司（演示）Qujing   enterprise              UNDER_ASSESSMENT, after an
                                                             earlier REFUSED application
彩云职业技能评价中心（演示）Kunming  social organisation     SUSPENDED
珠江源中等职业学校（演示） Qujing    secondary vocational    REVOKED, with public notice
爨乡技工学校（演示）       Qujing    technical school        EXPIRED (filed 3+ years ago)
=========================  ========  ======================  =============================
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from skillcert.catalog.models import Standard, StandardLevel, WorkType
from skillcert.core.actors import Actor
from skillcert.core.choices import IdType, OrganisationKind, Role
from skillcert.core.demo import DEMO_PASSWORD
from skillcert.core.errors import DomainError
from skillcert.core.models import Membership, Organisation, Region, User
from skillcert.core.services import membership_grant, user_create
from skillcert.institutions.choices import (
    REQUIRED_MATERIALS_BY_KIND,
    FilingKind,
    InstitutionType,
    ItemBankSource,
    MaterialKind,
    StaffKind,
)
from skillcert.institutions.models import FilingApplication, Institution, StaffMember
from skillcert.institutions.services import filing as flow
from skillcert.institutions.services import lifecycle, registry

PROVINCE = "530000"
KUNMING, QUJING = "530100", "530300"
SENTINEL = "滇池职业技术学校（演示）"


def minimal_pdf(title: str = "SkillCert demo") -> bytes:
    """A small, valid one-page PDF 1.4 (catalog, pages, page, content stream, xref)."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def demo_uscc(authority: str, region: str, serial: int) -> str:
    """A check-valid unified social credit code (GB 32100-2015) for demo institutions."""
    body = f"{authority}{region}MA{serial:07d}"
    return body + uscc.calc_check_digit(body)


SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
GIVEN_NAMES = (
    "建华",
    "秀英",
    "志强",
    "丽娟",
    "国庆",
    "海燕",
    "文军",
    "晓梅",
    "永红",
    "德明",
    "春兰",
)


def person_id(serial: int) -> str:
    """A checksum-valid resident ID (Kunming, Wuhua district) for demo staff."""
    birth = f"{1983 + serial % 17:04d}0{1 + serial % 9}1{serial % 9}"
    body = f"530102{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # the argument carries a check digit


def person_name(serial: int) -> str:
    return f"{SURNAMES[serial % 20]}{GIVEN_NAMES[(serial * 7) % len(GIVEN_NAMES)]}（演示）"


@dataclass(frozen=True)
class Line:
    """A scope line on a demo standard: the occupation code, a work type, the levels."""

    code: str
    lowest: int
    highest: int
    work_type: str | None = None


@dataclass(frozen=True)
class DemoInstitution:
    name: str
    city: str
    type: str
    authority_code: str  # USCC positions 1–2: 12 public institution, 91 company, 52 NGO
    address: str
    contact: str
    sites: list[tuple[str, str, str, str]] = field(default_factory=list)  # name, address, lat, lon
    lines: list[Line] = field(default_factory=list)


# Real-looking places; coordinates are in the right districts, not exact addresses.
INSTITUTIONS: dict[str, DemoInstitution] = {
    "a": DemoInstitution(
        SENTINEL,
        KUNMING,
        InstitutionType.SECONDARY_VOCATIONAL,
        "12",
        "昆明市西山区滇池路1088号",
        "杨丽",
        [
            ("实训楼A区", "昆明市西山区滇池路1088号实训楼", "24.985321", "102.683214"),
            ("机房考场", "昆明市西山区滇池路1088号信息楼3层", "24.986102", "102.684011"),
        ],
        [Line("6-18-01-01", 5, 4), Line("6-31-01-03", 5, 4), Line("4-03-02-01", 5, 4)],
    ),
    "b": DemoInstitution(
        "麒麟技工学校（演示）",
        QUJING,
        InstitutionType.TECHNICAL_SCHOOL,
        "12",
        "曲靖市麒麟区麒麟南路216号",
        "黄磊",
        [("焊接实训中心", "曲靖市麒麟区麒麟南路216号", "25.489513", "103.796244")],
        [Line("6-18-02-04", 5, 2, "电焊工"), Line("6-31-01-03", 5, 3)],
    ),
    "c": DemoInstitution(
        "春城高等职业技术学院（演示）",
        KUNMING,
        InstitutionType.HIGHER_VOCATIONAL,
        "12",
        "昆明市呈贡区雨花路768号",
        "何佳",
        [("软件实训基地", "昆明市呈贡区雨花路768号", "24.842213", "102.855807")],
        [Line("4-04-05-01", 5, 3)],
    ),
    "d": DemoInstitution(
        "滇中技师学院（演示）",
        KUNMING,
        InstitutionType.TECHNICAL_SCHOOL,
        "12",
        "昆明市官渡区春城路399号",
        "马超",
        [("数控车间", "昆明市官渡区春城路399号", "25.002417", "102.731025")],
        [Line("6-18-01-01", 5, 2, "数控车工")],
    ),
    "e": DemoInstitution(
        "云岭装备制造有限公司（演示）",
        QUJING,
        InstitutionType.ENTERPRISE,
        "91",
        "曲靖市经济技术开发区翠峰路8号",
        "罗刚",
        [("一号厂房技能鉴定点", "曲靖市经济技术开发区翠峰路8号", "25.460118", "103.812734")],
        [Line("6-18-02-04", 5, 1), Line("6-18-01-01", 5, 2)],
    ),
    "f": DemoInstitution(
        "彩云职业技能评价中心（演示）",
        KUNMING,
        InstitutionType.SOCIAL_ORGANISATION,
        "52",
        "昆明市五华区人民中路55号",
        "段雪",
        [("保育实训室", "昆明市五华区人民中路55号3楼", "25.042531", "102.704873")],
        [Line("4-10-01-03", 5, 3)],
    ),
    "g": DemoInstitution(
        "珠江源中等职业学校（演示）",
        QUJING,
        InstitutionType.SECONDARY_VOCATIONAL,
        "12",
        "曲靖市沾益区西平街道珠江源大道12号",
        "普红",
        [("烹饪实训楼", "曲靖市沾益区珠江源大道12号", "25.600614", "103.822410")],
        [Line("4-03-02-01", 5, 4)],
    ),
    "h": DemoInstitution(
        "爨乡技工学校（演示）",
        QUJING,
        InstitutionType.TECHNICAL_SCHOOL,
        "12",
        "曲靖市陆良县中枢街道同乐路20号",
        "李强",
        [("电工实训室", "曲靖市陆良县同乐路20号", "25.030427", "103.666913")],
        [Line("6-31-01-03", 5, 3)],
    ),
}

EXPERTS = [
    ("expert_1", "钱志远（演示）"),
    ("expert_2", "施雅琴（演示）"),
    ("expert_3", "蒋国栋（演示）"),
]


class _Demo:
    """The actors and look-ups one run needs."""

    def __init__(self) -> None:
        self.system = Actor.system("seed_demo")
        self.today = timezone.localdate()
        self.province = Region.objects.get(code=PROVINCE)
        self.standards = {s.occupation.code: s for s in _demo_standards()}
        self.people = itertools.count(1)
        self.experts = [
            self._expert(username, name, n) for n, (username, name) in enumerate(EXPERTS, 1)
        ]
        self.officials = {KUNMING: self._login("km_official"), QUJING: self._login("qj_official")}

    def _login(self, username: str) -> Actor:
        membership = Membership.objects.select_related("user", "organisation").filter(
            user__username=username, is_active=True
        )
        found = membership.first()
        if found is None:
            raise DomainError(f"demo login {username} is missing; run the core demo first")
        return Actor(user=found.user, membership=found)

    def _expert(self, username: str, full_name: str, serial: int) -> Actor:
        centre = Organisation.objects.get(
            province=self.province, kind=OrganisationKind.PROVINCE_CENTRE
        )
        user = User.objects.filter(username=username).first() or user_create(
            actor=self.system,
            username=username,
            password=DEMO_PASSWORD,
            full_name=full_name,
            id_type=IdType.RESIDENT,
            id_number=person_id(900 + serial),
            phone=f"1390871{serial:04d}",
        )
        membership = Membership.objects.filter(
            user=user, role=Role.EXPERT, organisation=centre
        ).first() or membership_grant(
            actor=self.system, user=user, role=Role.EXPERT, organisation=centre
        )
        return Actor(user=user, membership=membership)

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)


def _demo_standards() -> list[Standard]:
    standards = list(Standard.objects.filter(is_demo=True).select_related("occupation"))
    if not standards:
        raise DomainError("no demo standards: run the catalogue demo first")
    return standards


@transaction.atomic
def seed_institutions_demo() -> list[Institution]:
    """Create the demo institutions in every filing state; a no-op once they exist."""
    if Institution.objects.filter(organisation__name=SENTINEL).exists():
        return list(Institution.objects.filter(organisation__name__endswith="（演示）"))
    demo = _Demo()
    made = {key: _register(demo, key, serial) for serial, key in enumerate(INSTITUTIONS, 1)}
    _approved_with_addition_draft(demo, made["a"])
    _submitted_overdue(demo, made["b"])
    _returned(demo, made["c"])
    _accepted(demo, made["d"])
    _refused_then_under_assessment(demo, made["e"])
    _suspended(demo, made["f"])
    _revoked(demo, made["g"])
    _expired(demo, made["h"])
    return list(made.values())


# ---------------------------------------------------------------- the registry


def _register(demo: _Demo, key: str, serial: int) -> Institution:
    spec = INSTITUTIONS[key]
    city = Region.objects.get(code=spec.city)
    supervisor = Organisation.objects.get(city=city, kind=OrganisationKind.CITY_CENTRE)
    code = demo_uscc(spec.authority_code, spec.city, serial)
    phone = f"0871{6500000 + serial:07d}"
    existing = Organisation.objects.filter(province=demo.province, name=spec.name).first()
    if existing is not None:  # the core demo's two institutions
        institution = registry.institution_attach(
            actor=demo.system,
            organisation=existing,
            type=spec.type,
            uscc=code,
            supervisor=supervisor,
            address=spec.address,
            contact_name=spec.contact,
            contact_phone=phone,
        )
    else:
        institution = registry.institution_register(
            actor=demo.system,
            name=spec.name,
            type=spec.type,
            uscc=code,
            city=city,
            supervisor=supervisor,
            address=spec.address,
            contact_name=spec.contact,
            contact_phone=phone,
        )
    _sites(demo, institution, spec)
    _staff(demo, institution, spec)
    return institution


def _sites(demo: _Demo, institution: Institution, spec: DemoInstitution) -> None:
    for name, address, lat, lon in spec.sites:
        registry.site_add(
            actor=demo.system,
            institution=institution,
            name=name,
            address=address,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            capacity=60,
            has_video_monitoring=True,
        )


def _staff(demo: _Demo, institution: Institution, spec: DemoInstitution) -> None:
    """Full-time staff, an expert, an internal supervisor and three examiners per line."""
    people = [
        (StaffKind.STAFF, "评价办主任", None),
        (StaffKind.STAFF, "考务专员", None),
        (StaffKind.EXPERT, "高级工程师", 1),
        (StaffKind.SUPERVISOR, "内部质量督导员", 2),
    ]
    for kind, title, level in people:
        _person(demo, institution, kind, title, level)
    for line in spec.lines:
        standard = demo.standards.get(line.code)
        if standard is None:
            continue
        for _k in range(3):
            # An examiner holds a level above the highest one they assess.
            examiner = _person(
                demo, institution, StaffKind.EXAMINER, "考评员", max(1, line.highest - 1)
            )
            registry.qualification_set(
                actor=demo.system,
                member=examiner,
                occupation=standard.occupation,
                work_type=None,
                highest_level=line.highest,
            )


def _person(
    demo: _Demo, institution: Institution, kind: str, title: str, level: int | None
) -> StaffMember:
    serial = next(demo.people)
    return registry.staff_add(
        actor=demo.system,
        institution=institution,
        kind=kind,
        full_name=person_name(serial),
        id_type=IdType.RESIDENT,
        id_number=person_id(serial),
        title=title,
        skill_level=level,
    )


# ---------------------------------------------------------------- the workflow


def _applicant(demo: _Demo, institution: Institution) -> Actor:
    admin = Membership.objects.filter(
        organisation=institution.organisation, role=Role.INSTITUTION_ADMIN, is_active=True
    ).first()
    return Actor(user=admin.user, membership=admin) if admin else demo.system


def _draft(
    demo: _Demo,
    institution: Institution,
    lines: list[Line],
    kind: str = FilingKind.INITIAL,
    today: date | None = None,
) -> FilingApplication:
    actor = _applicant(demo, institution)
    application = flow.filing_application_create(
        actor=actor, institution=institution, kind=kind, today=today
    )
    for line in lines:
        standard = demo.standards.get(line.code)
        if standard is None:
            continue  # the catalogue demo changed; skip rather than fail
        work_type = (
            WorkType.objects.get(occupation=standard.occupation, name=line.work_type)
            if line.work_type
            else None
        )
        levels = set(
            StandardLevel.objects.filter(standard=standard).values_list("level", flat=True)
        )
        if not set(range(line.highest, line.lowest + 1)) <= levels:
            continue
        flow.scope_line_add(
            actor=actor,
            application=application,
            occupation=standard.occupation,
            work_type=work_type,
            standard=standard,
            lowest_level=line.lowest,
            highest_level=line.highest,
            item_bank_source=ItemBankSource.OWN,
        )
    return application


def _upload(demo: _Demo, application: FilingApplication, kinds: tuple[str, ...]) -> None:
    actor = _applicant(demo, application.institution)
    for kind in kinds:
        label = MaterialKind(kind).name.lower()
        flow.material_upload(
            actor=actor,
            application=application,
            kind=kind,
            uploaded_file=SimpleUploadedFile(
                f"{label}.pdf", minimal_pdf(f"SkillCert demo: {label}"), "application/pdf"
            ),
        )


def _submitted(
    demo: _Demo, institution: Institution, submitted: date, kind: str = FilingKind.INITIAL
) -> FilingApplication:
    spec = INSTITUTIONS[_key_of(institution)]
    application = _draft(demo, institution, spec.lines, kind, today=submitted)
    _upload(demo, application, REQUIRED_MATERIALS_BY_KIND[kind])
    actor = _applicant(demo, institution)
    return flow.filing_submit(actor=actor, application=application, today=submitted)


def _key_of(institution: Institution) -> str:
    return next(k for k, spec in INSTITUTIONS.items() if spec.name == institution.name)


def _official(demo: _Demo, institution: Institution) -> Actor:
    return demo.officials[institution.organisation.city_id or KUNMING]


def _under_assessment(demo: _Demo, institution: Institution, submitted: date) -> FilingApplication:
    application = _submitted(demo, institution, submitted)
    official = _official(demo, institution)
    flow.filing_accept(actor=official, application=application)
    flow.filing_start_assessment(actor=official, application=application)
    for n, expert in enumerate(demo.experts[:2]):
        flow.expert_opinion_add(
            actor=expert,
            application=application,
            score=86 - 4 * n,
            recommends_approval=True,
            opinion="机构设置、人员队伍、场地设备和题库建设符合附件1条件，同意备案。",
        )
    flow.onsite_check_record(
        actor=official,
        application=application,
        checked_on=submitted + timedelta(days=14),
        inspectors="钱志远、施雅琴（演示）",
        findings="实地查看考核场地、视频监控和计算机考务系统，运行正常。",
        passed=True,
    )
    return application


def _approved(demo: _Demo, institution: Institution, approved: date) -> FilingApplication:
    application = _under_assessment(demo, institution, approved - timedelta(days=40))
    flow.filing_approve(
        actor=_official(demo, institution),
        application=application,
        note="经技术评估，符合备案条件，准予备案。",
        today=approved,
    )
    return application


def _approved_with_addition_draft(demo: _Demo, institution: Institution) -> None:
    _approved(demo, institution, demo.ago(200))
    addition = _draft(
        demo, institution, [Line("6-18-02-04", 5, 4, "电焊工")], kind=FilingKind.ADDITION
    )
    _upload(demo, addition, (MaterialKind.APPLICATION_FORM,))


def _submitted_overdue(demo: _Demo, institution: Institution) -> None:
    # Submitted five weeks ago and still undecided: shown as overdue.
    _submitted(demo, institution, demo.ago(35))


def _returned(demo: _Demo, institution: Institution) -> None:
    application = _submitted(demo, institution, demo.ago(6))
    flow.filing_return(
        actor=_official(demo, institution),
        application=application,
        reason="场地设备证明缺少产权或租赁合同，请补正后重新提交。",
    )


def _accepted(demo: _Demo, institution: Institution) -> None:
    application = _submitted(demo, institution, demo.ago(9))
    flow.filing_accept(actor=_official(demo, institution), application=application)


def _refused_then_under_assessment(demo: _Demo, institution: Institution) -> None:
    first = _under_assessment(demo, institution, demo.ago(160))
    flow.filing_refuse(
        actor=_official(demo, institution),
        application=first,
        reason="现场考察发现焊接考核工位不足，视频监控未覆盖全部工位。",
    )
    _under_assessment(demo, institution, demo.ago(30))


def _suspended(demo: _Demo, institution: Institution) -> None:
    _approved(demo, institution, demo.ago(400))
    lifecycle.institution_suspend(
        actor=_official(demo, institution),
        institution=institution,
        reason="抽查发现未按规定开展内部质量督导",
        rectification_due=demo.today + timedelta(days=30),
    )


def _revoked(demo: _Demo, institution: Institution) -> None:
    _approved(demo, institution, demo.ago(500))
    # 川人社办发〔2020〕20号 六(五): 成绩造假 → 取消备案资格.
    lifecycle.institution_revoke(
        actor=_official(demo, institution),
        institution=institution,
        reason="认定活动中存在考生资格审核不严、成绩造假等违规行为",
    )


def _expired(demo: _Demo, institution: Institution) -> None:
    # Filed three years and two months ago, never renewed; the daily task expires it.
    _approved(demo, institution, demo.ago(3 * 365 + 60))
    lifecycle.filings_expire(actor=demo.system, today=demo.today)
