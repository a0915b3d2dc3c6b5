"""Every write in core: organisations, users, memberships, the province policy, tokens.

Each service is one transaction that checks permission, validates, writes and
records an audit event (STYLE.md 2).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import Role, ScopeLevel
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import ApiToken, Membership, Organisation, ProvincePolicy, Region, User
from skillcert.core.personal import apply_identity, apply_phone


def can_manage_organisation(actor: Actor, parent: Organisation | None, province: Region) -> bool:
    """Platform admins create anything; a province official creates orgs in their province;
    a city official creates institutions under their city."""
    if actor.is_platform_admin:
        return True
    if actor.role == Role.PROVINCE_OFFICIAL:
        return actor.province_code == province.code
    if actor.role == Role.CITY_OFFICIAL and parent is not None:
        return parent.city_id is not None and parent.city_id == actor.city_code
    return False


@transaction.atomic
def organisation_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    province: Region,
    city: Region | None = None,
    parent: Organisation | None = None,
) -> Organisation:
    if not can_manage_organisation(actor, parent, province):
        raise PermissionDenied(_("您无权在此处创建单位。"))
    org = Organisation(name=name, kind=kind, province=province, city=city, parent=parent)
    try:
        org.full_clean()
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid_organisation") from exc
    org.save()
    audit_record(
        actor=actor,
        action="organisation.create",
        obj=org,
        organisation=org,
        changes={"after": {"name": name, "kind": kind, "city": city.code if city else None}},
    )
    return org


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str | None,
    full_name: str,
    id_type: str = "",
    id_number: str = "",
    phone: str = "",
) -> User:
    """Create a real-name account; ID number and phone are validated and encrypted."""
    user = User(username=username, full_name=full_name)
    if id_number:
        apply_identity(user, id_type=id_type, number=id_number)
    if phone:
        apply_phone(user, number=phone)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        changes={"after": {"username": username, "full_name": full_name, "id_type": id_type}},
    )
    return user


def can_grant(actor: Actor, organisation: Organisation | None, role: str) -> bool:
    if actor.is_platform_admin:
        return True
    if role == Role.CANDIDATE:
        return False  # candidates register themselves (enrollment)
    if organisation is None or actor.role not in {
        Role.PROVINCE_OFFICIAL,
        Role.CITY_OFFICIAL,
        Role.INSTITUTION_ADMIN,
    }:
        return False
    if actor.role == Role.INSTITUTION_ADMIN and role not in {
        Role.EXAM_STAFF,
        Role.EXAMINER,
        Role.EXPERT,
        Role.SUPERVISOR,
        Role.INSTITUTION_ADMIN,
    }:
        return False
    return Organisation.objects.for_actor(actor).filter(pk=organisation.pk).exists()


@transaction.atomic
def membership_grant(
    *, actor: Actor, user: User, role: str, organisation: Organisation | None
) -> Membership:
    if not can_grant(actor, organisation, role):
        raise PermissionDenied(_("您无权授予该角色。"))
    membership = Membership(user=user, role=role, organisation=organisation)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action="membership.grant",
        obj=membership,
        organisation=organisation,
        changes={"after": {"user": user.username, "role": role}},
    )
    return membership


def can_edit_policy(actor: Actor, province: Region) -> bool:
    if actor.is_platform_admin:
        return True
    return (
        actor.role == Role.PROVINCE_OFFICIAL
        and actor.level == ScopeLevel.PROVINCE
        and actor.province_code == province.code
    )


@transaction.atomic
def policy_ensure(*, actor: Actor, province: Region) -> ProvincePolicy:
    """The province's policy, created with the defaults of DESIGN.md when missing."""
    policy, created = ProvincePolicy.objects.get_or_create(province=province)
    if created:
        audit_record(actor=actor, action="policy.create", obj=policy)
    return policy


@transaction.atomic
def policy_update(*, actor: Actor, policy: ProvincePolicy, **values: Any) -> ProvincePolicy:
    if not can_edit_policy(actor, policy.province):
        raise PermissionDenied(_("只有本省人社部门可以修改政策参数。"))
    locked = ProvincePolicy.objects.select_for_update().get(pk=policy.pk)
    before = {name: getattr(locked, name) for name in values}
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save(update_fields=[*values, "updated_at"])
    audit_record(
        actor=actor,
        action="policy.update",
        obj=locked,
        changes={"before": before, "after": values},
    )
    return locked


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: Actor, membership: Membership, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token acting as ``membership``; the secret is returned once and never stored."""
    if not (actor.is_platform_admin or actor.user_id == membership.user_id):
        raise PermissionDenied(_("只能为自己的账号创建接口令牌。"))
    secret = "sk_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        membership=membership,
        name=name,
        prefix=secret[3:11],
        digest=token_digest(secret),
        expires_at=expires_at,
    )
    audit_record(actor=actor, action="api_token.create", obj=token, changes={"name": name})
    return token, secret


def api_token_authenticate(secret: str) -> ApiToken | None:
    token = (
        ApiToken.objects.select_related("membership__user", "membership__organisation")
        .filter(digest=token_digest(secret), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or (token.expires_at and token.expires_at <= now):
        return None
    if not token.membership.is_active or not token.membership.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
