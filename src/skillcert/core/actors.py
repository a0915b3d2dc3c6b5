"""The actor: who is acting, for which organisation, in which role.

Every service and selector takes ``actor``; views get it from ``request.actor``
(set by :class:`skillcert.core.middleware.ActorMiddleware`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from skillcert.core.choices import ORGANISATION_ROLES, ScopeLevel

if TYPE_CHECKING:
    from skillcert.core.models import Membership, Organisation, User


@dataclass(frozen=True)
class Actor:
    """A user acting through one membership (or as platform admin, or as system)."""

    user: User | None
    membership: Membership | None = None
    system_label: str = ""

    @property
    def is_authenticated(self) -> bool:
        return (self.user is not None and self.user.is_authenticated) or bool(self.system_label)

    @property
    def is_platform_admin(self) -> bool:
        """Superusers and system jobs see everything; nobody else does."""
        return bool(self.system_label) or (
            self.user is not None and self.user.is_superuser and self.membership is None
        )

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    @property
    def organisation_id(self) -> int | None:
        return self.membership.organisation_id if self.membership else None

    @cached_property
    def level(self) -> str | None:
        """Officials and institution staff see their organisation's subtree; others, themselves."""
        if self.membership is None:
            return None
        org = self.membership.organisation
        if self.membership.role in ORGANISATION_ROLES and org is not None:
            return org.level
        return ScopeLevel.PERSON

    @property
    def province_code(self) -> str | None:
        org = self.organisation
        return org.province_id if org is not None else None

    @property
    def city_code(self) -> str | None:
        org = self.organisation
        return org.city_id if org is not None else None

    @property
    def label(self) -> str:
        if self.system_label:
            return self.system_label
        if self.user is None:
            return "anonymous"
        return self.user.display_name

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        """The actor for management commands and scheduled jobs."""
        return cls(user=None, system_label=label)


ANONYMOUS = Actor(user=None)


class ActorRequest(HttpRequest):
    """The request type of SkillCert views: the resolved actor is always present."""

    actor: Actor
    htmx: HtmxDetails
