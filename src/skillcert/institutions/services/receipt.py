"""What an approval writes: the filing receipt (备案回执), the scope entries it grants and
the text of the public notice (川人社办发〔2020〕20号 附件3 第4–5项).

Helpers of :func:`skillcert.institutions.services.filing.filing_approve`: they run inside
its transaction and leave the audit event to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.core.actors import Actor
from skillcert.core.choices import HR_KINDS
from skillcert.core.models import Organisation, ProvincePolicy
from skillcert.institutions.choices import DirectoryNoticeKind, DirectoryStatus, FilingKind
from skillcert.institutions.models import (
    Filing,
    FilingApplication,
    FilingScopeLine,
    Institution,
    ScopeEntry,
)
from skillcert.institutions.numbering import filing_number_allocate, site_serial_allocate
from skillcert.institutions.scope import level_range_label, province_policy, subject_label
from skillcert.institutions.services.lifecycle import clean_or_raise

ONE_DAY = timedelta(days=1)


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def approval_apply(
    actor: Actor,
    institution: Institution,
    application: FilingApplication,
    lines: Sequence[FilingScopeLine],
    day: date,
) -> tuple[Filing, str, str]:
    """Write what approving ``application`` grants; returns the filing and the notice
    (kind, text) to publish. First filing: a receipt; addition: entries, validity
    unchanged (Fujian practice); renewal: validity extended by the policy's years."""
    policy = province_policy(institution.organisation.province_id)
    if application.kind == FilingKind.INITIAL:
        filing = receipt_issue(actor, institution, application, lines, policy, day)
        return filing, DirectoryNoticeKind.LISTED, listed_text(institution, filing, lines)
    filing = institution.filing
    if application.kind == FilingKind.ADDITION:
        entries_grant(filing, application, lines, day)
        return filing, DirectoryNoticeKind.SCOPE_ADDED, added_text(institution, filing, lines)
    validity_extend(filing, policy)
    return filing, DirectoryNoticeKind.RENEWED, renewed_text(institution, filing)


def _issuer(actor: Actor, institution: Institution) -> Organisation:
    org = actor.organisation
    if org is not None and org.kind in HR_KINDS:
        return org
    return institution.supervisor


def receipt_issue(
    actor: Actor,
    institution: Institution,
    application: FilingApplication,
    lines: Sequence[FilingScopeLine],
    policy: ProvincePolicy,
    day: date,
) -> Filing:
    province = institution.organisation.province_id[:2]
    # Site serial first, then the filing number: every approval takes the locks in this
    # order, so two approvals never wait on each other in a cycle.
    if not institution.site_serial:
        institution.site_serial = site_serial_allocate(province_code=province)
        institution.site_province = province
    number = filing_number_allocate(
        province_code=province, category=institution.category, year=day.year
    )
    filing = Filing.objects.filter(institution=institution).first()
    if filing is None:
        filing = Filing(institution=institution)
    else:
        # Filing again after expiry: a new number and validity; the old scope lapses.
        ScopeEntry.objects.filter(filing=filing, is_active=True).update(is_active=False)
    filing.filing_number = number
    filing.valid_from = day
    filing.valid_until = add_years(day, policy.filing_validity_years) - ONE_DAY
    filing.issued_by = _issuer(actor, institution)
    clean_or_raise(filing)
    filing.save()
    entries_grant(filing, application, lines, day)
    institution.status = DirectoryStatus.ACTIVE
    institution.status_changed_at = timezone.now()
    institution.rectification_due = None
    clean_or_raise(institution)
    institution.save(
        update_fields=[
            "status",
            "status_changed_at",
            "rectification_due",
            "site_serial",
            "site_province",
        ]
    )
    return filing


def entries_grant(
    filing: Filing, application: FilingApplication, lines: Sequence[FilingScopeLine], day: date
) -> None:
    entries = [
        ScopeEntry(
            filing=filing,
            occupation=line.occupation,
            work_type=line.work_type,
            standard=line.standard,
            lowest_level=line.lowest_level,
            highest_level=line.highest_level,
            granted_by=application,
            granted_on=day,
        )
        for line in lines
    ]
    for entry in entries:
        clean_or_raise(entry)
    ScopeEntry.objects.bulk_create(entries)


def validity_extend(filing: Filing, policy: ProvincePolicy) -> Filing:
    filing.valid_until = add_years(filing.valid_until, policy.filing_validity_years)
    clean_or_raise(filing)
    filing.save(update_fields=["valid_until"])
    return filing


def line_label(line: FilingScopeLine | ScopeEntry) -> str:
    levels = level_range_label(line.lowest_level, line.highest_level)
    return f"{subject_label(line.occupation, line.work_type, None)} {levels}"


def _scope_text(lines: Sequence[FilingScopeLine]) -> str:
    return "；".join(
        _("%(line)s，评价依据《%(standard)s》")
        % {"line": line_label(line), "standard": line.standard.title}
        for line in lines
    )


def listed_text(institution: Institution, filing: Filing, lines: Sequence[FilingScopeLine]) -> str:
    # 川人社办发〔2020〕20号 附件3 第5项: name, code, address, contact, occupations with
    # codes, level ranges and standards.
    return _(
        "%(name)s（统一社会信用代码%(uscc)s）经备案为职业技能等级评价机构，备案编号%(number)s，"
        "有效期%(start)s至%(end)s。地址：%(address)s；联系人：%(contact)s。"
        "评价职业（工种）及等级：%(scope)s。"
    ) % {
        "name": institution.name,
        "uscc": institution.uscc,
        "number": filing.filing_number,
        "start": filing.valid_from.isoformat(),
        "end": filing.valid_until.isoformat(),
        "address": institution.address,
        "contact": institution.contact_name,
        "scope": _scope_text(lines),
    }


def added_text(institution: Institution, filing: Filing, lines: Sequence[FilingScopeLine]) -> str:
    return _(
        "%(name)s（备案编号%(number)s）增加评价职业（工种）：%(scope)s。备案有效期不变，至%(end)s。"
    ) % {
        "name": institution.name,
        "number": filing.filing_number,
        "scope": _scope_text(lines),
        "end": filing.valid_until.isoformat(),
    }


def renewed_text(institution: Institution, filing: Filing) -> str:
    return _("%(name)s（备案编号%(number)s）延续备案，有效期延至%(end)s。") % {
        "name": institution.name,
        "number": filing.filing_number,
        "end": filing.valid_until.isoformat(),
    }
