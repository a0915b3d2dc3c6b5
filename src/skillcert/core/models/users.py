"""Users (real-name accounts with protected personal data) and their memberships."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.core.choices import (
    EDUCATION_KINDS,
    HR_KINDS,
    Gender,
    IdType,
    OrganisationKind,
    Role,
    ScopeLevel,
)
from skillcert.core.fields import EncryptedTextField
from skillcert.core.models.organisations import Organisation
from skillcert.core.scoping import Scope, ScopedManager


class User(AbstractUser):
    """A person who logs in. ID number and phone are encrypted, with blind indexes."""

    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    id_type = models.CharField(
        _("证件类型"), max_length=32, choices=IdType.choices, blank=True, default=""
    )
    id_number = EncryptedTextField(_("证件号码"), kind="id", blank=True, default="")
    id_number_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone = EncryptedTextField(_("手机号码"), kind="phone", blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]  # AbstractUser declares it untyped

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


# Which organisation kinds each role may belong to (None: no organisation).
ROLE_ORGANISATION_KINDS: dict[str, frozenset[str] | None] = {
    Role.PROVINCE_OFFICIAL: frozenset(
        {OrganisationKind.PROVINCE_HR, OrganisationKind.PROVINCE_CENTRE}
    ),
    Role.CITY_OFFICIAL: frozenset({OrganisationKind.CITY_HR, OrganisationKind.CITY_CENTRE}),
    Role.EDUCATION_OFFICIAL: EDUCATION_KINDS,
    Role.INSTITUTION_ADMIN: frozenset({OrganisationKind.INSTITUTION}),
    Role.EXAM_STAFF: frozenset({OrganisationKind.INSTITUTION}),
    Role.EXAMINER: HR_KINDS | {OrganisationKind.INSTITUTION},
    Role.EXPERT: HR_KINDS | {OrganisationKind.INSTITUTION},
    Role.SUPERVISOR: HR_KINDS | {OrganisationKind.INSTITUTION},
    Role.CANDIDATE: None,
}


class Membership(models.Model):
    """A user's role in an organisation; a user may hold several and picks one to act in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="organisation__province_id",
        city="organisation__city_id",
        institution="organisation_id",
        person="user_id",
    )
    objects = ScopedManager["Membership"]()

    class Meta:
        ordering = ["user_id", "id"]
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        org = self.organisation.name if self.organisation else "—"
        return f"{self.user.display_name} · {self.get_role_display()} · {org}"

    def clean(self) -> None:
        allowed = ROLE_ORGANISATION_KINDS[self.role]
        if allowed is None:
            if self.organisation_id:
                raise ValidationError({"organisation": _("参评人员不隶属于任何单位。")})
            return
        org = self.organisation
        if org is None:
            raise ValidationError({"organisation": _("该角色必须隶属于一个单位。")})
        if org.kind not in allowed:
            raise ValidationError({"organisation": _("该单位类型不能设置此角色。")})
        if self.role == Role.PROVINCE_OFFICIAL and org.level != ScopeLevel.PROVINCE:
            raise ValidationError({"organisation": _("省级官员必须隶属于省级单位。")})
