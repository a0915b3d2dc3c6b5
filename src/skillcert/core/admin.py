"""Django admin for superusers. Personal data shows masked and is never edited here:
ID and phone numbers change only through services that validate and index them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models, transaction
from django.http import HttpRequest

from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.models import (
    AuditEvent,
    HolidayDay,
    HolidaySchedule,
    Membership,
    Organisation,
    ProvincePolicy,
    Region,
    User,
)


class AuditedAdminMixin:
    """Admin writes are state changes too: each is audited in its own transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            action = "admin.change" if change else "admin.add"
            changed = list(form.changed_data) if form is not None else []
            audit_record(actor=_actor(request), action=action, obj=obj, changes={"fields": changed})

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            audit_record(actor=_actor(request), action="admin.delete", obj=obj)
            super().delete_model(request, obj)  # type: ignore[misc]


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user)  # type: ignore[arg-type]  # admin requires a staff user


@admin.register(Region)
class RegionAdmin(AuditedAdminMixin, admin.ModelAdmin[Region]):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin[Organisation]):
    list_display = ("name", "kind", "province", "city", "parent", "is_active")
    list_filter = ("kind", "province")
    search_fields = ("name",)
    raw_id_fields = ("parent",)


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    raw_id_fields = ("organisation",)


@admin.register(User)
class SkillCertUserAdmin(AuditedAdminMixin, UserAdmin):  # type: ignore[type-arg]  # UserAdmin is generic in stubs only
    list_display = ("username", "full_name", "masked_id", "is_active", "is_superuser")
    search_fields = ("username", "full_name")
    readonly_fields = ("masked_id", "masked_phone", "birth_date", "gender", "id_type")
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]  # a tuple in practice
        (
            "实名信息",
            {
                "fields": (
                    "full_name",
                    "id_type",
                    "masked_id",
                    "masked_phone",
                    "birth_date",
                    "gender",
                )
            },
        ),
    )
    inlines = (MembershipInline,)

    @admin.display(description="证件号码")
    def masked_id(self, obj: User) -> str:
        return str(obj.id_number)

    @admin.display(description="手机号码")
    def masked_phone(self, obj: User) -> str:
        return str(obj.phone)


@admin.register(ProvincePolicy)
class ProvincePolicyAdmin(AuditedAdminMixin, admin.ModelAdmin[ProvincePolicy]):
    list_display = ("province", "updated_at")


class HolidayDayInline(admin.TabularInline[HolidayDay, HolidaySchedule]):
    model = HolidayDay
    extra = 0


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(AuditedAdminMixin, admin.ModelAdmin[HolidaySchedule]):
    list_display = ("year", "source", "loaded_at")
    inlines = (HolidayDayInline,)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the log is append-only."""

    list_display = (
        "seq",
        "created_at",
        "actor_label",
        "organisation_label",
        "action",
        "object_label",
    )
    list_filter = ("action",)
    search_fields = ("object_label", "actor_label")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
