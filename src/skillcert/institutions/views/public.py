"""The public directory of filed institutions (目录管理): no login, no personal data."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from skillcert.core.excel import XLSX_CONTENT_TYPE, workbook_bytes
from skillcert.institutions import selectors
from skillcert.institutions.forms import DirectorySearchForm
from skillcert.institutions.models import Institution
from skillcert.institutions.templatetags.institution_tags import level_range


def _search(request: HttpRequest) -> tuple[DirectorySearchForm, QuerySet[Institution]]:
    form = DirectorySearchForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        # Keep the fields that parsed: a bad level must not drop the occupation too.
        data = form.cleaned_data
        filters = {
            "region": data.get("city"),
            "occupation": data.get("occupation") or None,
            "level": data.get("level"),
            "q": data.get("q") or None,
        }
    # A city's label may name its province (市辖区): fetch the parent with the row.
    rows = selectors.public_directory(**filters).select_related("organisation__city__parent")
    return form, rows


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    form, institutions = _search(request)
    page = Paginator(institutions, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "institutions/directory.html", context)


@require_GET
def directory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(selectors.public_directory(), pk=pk)
    notices = institution.notices.all()[:20]
    return render(
        request,
        "institutions/directory_detail.html",
        {"institution": institution, "notices": notices},
    )


@require_GET
def directory_export(request: HttpRequest) -> HttpResponse:
    """The directory as .xlsx: one row per filed occupation (work type) of each institution."""
    _form, institutions = _search(request)
    rows = []
    for inst in institutions:
        filing = inst.filing
        for entry in filing.public_entries:
            rows.append(
                [
                    inst.organisation.name,
                    inst.get_type_display(),
                    inst.category,
                    str(inst.organisation.city or ""),
                    inst.address,
                    filing.filing_number,
                    filing.valid_until,
                    inst.get_status_display(),
                    entry.occupation.code,
                    entry.occupation.name,
                    # Not "--": the formula-injection guard would prefix it with a quote.
                    entry.work_type.name if entry.work_type else "—",
                    level_range(entry.lowest_level, entry.highest_level),
                    entry.standard.title,
                ]
            )
    headers = [
        _("机构名称"), _("机构类型"), _("类别"), _("地市"), _("地址"), _("备案编号"),
        _("有效期至"), _("状态"), _("职业编码"), _("职业名称"), _("工种"), _("等级范围"),
        _("评价依据"),
    ]  # fmt: skip
    data = workbook_bytes(title=_("评价机构目录"), headers=headers, rows=rows)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="directory-{stamp}.xlsx"'
    return response


@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    return render(request, "institutions/notices.html", {"notices": selectors.public_notices(100)})
