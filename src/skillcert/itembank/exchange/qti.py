"""QTI 3.0 item XML (``qti-assessment-item``) for one item, and back.

Choice items use ``qti-choice-interaction`` (true/false as the choices T and F), short
answers ``qti-extended-text-interaction`` with the reference answer in a scorer's rubric
block. The assessment point's code travels in the item's ``label``; the type and the
difficulty in ``data-*`` attributes of the item body. Files with a DTD or entities are
refused before parsing, so no entity expansion can happen.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.utils.translation import gettext as _

from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError
from skillcert.core.models import Organisation
from skillcert.itembank.choices import ItemType
from skillcert.itembank.models import AssessmentPoint, Item
from skillcert.itembank.services import ItemContent, content_errors, items_create_many

NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
MATCH_CORRECT = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct"
TRUE_FALSE_TEXT = {"T": "正确", "F": "错误"}
MAX_BYTES = 1_000_000


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, _q(tag), {k.replace("_", "-"): v for k, v in attrs.items()})
    node.text = text
    return node


def item_to_qti(item: Item) -> bytes:
    """One item as a QTI 3.0 ``qti-assessment-item`` document (UTF-8)."""
    ET.register_namespace("", NS)
    root = ET.Element(
        _q("qti-assessment-item"),
        {
            "identifier": f"item-{item.family}-v{item.version}",
            "title": item.stem[:60],
            "label": item.point.code,
            "adaptive": "false",
            "time-dependent": "false",
            "{http://www.w3.org/XML/1998/namespace}lang": "zh-CN",
        },
    )
    if item.type == ItemType.SHORT_ANSWER:
        _sub(root, "qti-response-declaration", identifier="RESPONSE", cardinality="single",
             base_type="string")  # fmt: skip
    else:
        cardinality = "multiple" if item.type == ItemType.MULTIPLE else "single"
        declaration = _sub(root, "qti-response-declaration", identifier="RESPONSE",
                           cardinality=cardinality, base_type="identifier")  # fmt: skip
        correct = _sub(declaration, "qti-correct-response")
        for key in item.answer:
            _sub(correct, "qti-value", key)
    _sub(root, "qti-outcome-declaration", identifier="SCORE", cardinality="single",
         base_type="float")  # fmt: skip
    body = _sub(root, "qti-item-body", data_item_type=item.type,
                data_difficulty=str(item.difficulty))  # fmt: skip
    if item.type == ItemType.SHORT_ANSWER:
        interaction = _sub(body, "qti-extended-text-interaction", response_identifier="RESPONSE")
        _sub(interaction, "qti-prompt", item.stem)
        rubric = _sub(body, "qti-rubric-block", view="scorer", use="scoring")
        _sub(rubric, "qti-content-body", item.reference_answer)
    else:
        max_choices = "0" if item.type == ItemType.MULTIPLE else "1"
        interaction = _sub(body, "qti-choice-interaction", response_identifier="RESPONSE",
                           max_choices=max_choices, shuffle="true")  # fmt: skip
        _sub(interaction, "qti-prompt", item.stem)
        choices = (
            [{"key": k, "text": t} for k, t in TRUE_FALSE_TEXT.items()]
            if item.type == ItemType.TRUE_FALSE
            else item.options
        )
        for option in choices:
            _sub(interaction, "qti-simple-choice", option["text"], identifier=option["key"])
        _sub(root, "qti-response-processing", template=MATCH_CORRECT)
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


@dataclass(frozen=True)
class QtiItem:
    point_code: str
    content: ItemContent


_FORBIDDEN = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _parse(data: bytes) -> ET.Element:
    if len(data) > MAX_BYTES:
        raise DomainError(_("QTI文件过大。"), code="qti_too_large")
    if _FORBIDDEN.search(data):
        raise DomainError(_("QTI文件不能包含DTD或实体声明。"), code="qti_dtd")
    try:
        return ET.fromstring(data)  # noqa: S314 - DTDs and entities were refused above
    except ET.ParseError as exc:
        raise DomainError(_("QTI文件不是有效的XML。"), code="qti_invalid") from exc


def _text(node: ET.Element | None) -> str:
    return "".join(node.itertext()).strip() if node is not None else ""


def _item_type(body: ET.Element, interaction: ET.Element, cardinality: str) -> str:
    declared = body.get("data-item-type", "")
    if declared in ItemType.values:
        return declared
    if interaction.tag == _q("qti-extended-text-interaction"):
        return ItemType.SHORT_ANSWER
    if cardinality == "multiple":
        return ItemType.MULTIPLE
    keys = {c.get("identifier") for c in interaction.iter(_q("qti-simple-choice"))}
    return ItemType.TRUE_FALSE if keys == {"T", "F"} else ItemType.SINGLE


def qti_to_item(data: bytes) -> QtiItem:
    """Read one ``qti-assessment-item``; raise :class:`DomainError` if it is not usable."""
    root = _parse(data)
    if root.tag != _q("qti-assessment-item"):
        raise DomainError(_("不是QTI 3.0试题文件（qti-assessment-item）。"), code="qti_not_item")
    body = root.find(_q("qti-item-body"))
    declaration = root.find(_q("qti-response-declaration"))
    interaction = None
    if body is not None:
        interaction = body.find(_q("qti-choice-interaction"))
        if interaction is None:
            interaction = body.find(_q("qti-extended-text-interaction"))
    if body is None or interaction is None:
        raise DomainError(_("QTI试题缺少题干或作答方式。"), code="qti_unsupported")
    cardinality = declaration.get("cardinality", "single") if declaration is not None else ""
    kind = _item_type(body, interaction, cardinality)
    answer = [_text(v) for v in root.iter(_q("qti-value"))] if kind != ItemType.SHORT_ANSWER else []
    options = []
    if kind in (ItemType.SINGLE, ItemType.MULTIPLE):
        options = [
            {"key": c.get("identifier", ""), "text": _text(c)}
            for c in interaction.iter(_q("qti-simple-choice"))
        ]
    try:
        difficulty = int(body.get("data-difficulty", "3"))
    except ValueError:
        difficulty = 0
    content = ItemContent(
        type=kind,
        stem=_text(interaction.find(_q("qti-prompt"))),
        options=options,
        answer=answer,
        reference_answer=_text(body.find(_q("qti-rubric-block"))),
        difficulty=difficulty,
    )
    errors = content_errors(content)
    if errors:
        raise DomainError("；".join(m for _f, m in errors), code="item_invalid")
    return QtiItem(point_code=root.get("label", "").strip(), content=content)


def item_import_qti(
    *, actor: Actor, owner: Organisation, standard_level: StandardLevel, data: bytes
) -> Item:
    """Import one QTI item as a draft under the assessment point named by its label."""
    parsed = qti_to_item(data)
    point = AssessmentPoint.objects.filter(
        standard_level=standard_level, code=parsed.point_code
    ).first()
    if point is None:
        raise DomainError(
            _("该等级没有鉴定点“%(code)s”（QTI试题的label属性）。") % {"code": parsed.point_code},
            code="qti_point",
        )
    return items_create_many(actor=actor, owner=owner, rows=[(point, parsed.content)])[0]
