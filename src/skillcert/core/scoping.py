"""The one scoping path: every tenant-owned model's queryset has ``for_actor(actor)``.

A model declares a :class:`Scope` saying which lookups lead to its province, city,
institution and person. ``for_actor`` turns the actor's level (province ⊃ city ⊃
institution ⊃ person, DESIGN.md "Who uses it") into one filter. A level the model
has no path for sees nothing: scoping fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from django.db import models
from django.db.models import Q

from skillcert.core.choices import ScopeLevel

if TYPE_CHECKING:
    from skillcert.core.actors import Actor

_M = TypeVar("_M", bound=models.Model)


@dataclass(frozen=True)
class Scope:
    """Lookups from a scoped model to the keys an actor is matched on.

    ``province`` and ``city`` lead to a region code, ``institution`` to an
    organisation id, ``person`` to a user id. ``None`` means that level sees nothing.
    """

    province: str | None = None
    city: str | None = None
    institution: str | None = None
    person: str | None = None

    def path_for(self, level: str) -> str | None:
        paths: dict[str, str | None] = {
            ScopeLevel.PROVINCE: self.province,
            ScopeLevel.CITY: self.city,
            ScopeLevel.INSTITUTION: self.institution,
            ScopeLevel.PERSON: self.person,
        }
        return paths.get(level)

    def q_for(self, actor: Actor) -> Q | None:
        """The filter for ``actor``, or ``None`` when the actor sees nothing."""
        level = actor.level
        if level == ScopeLevel.PROVINCE and self.province and actor.province_code:
            return Q(**{self.province: actor.province_code})
        if level == ScopeLevel.CITY and self.city and actor.city_code:
            return Q(**{self.city: actor.city_code})
        if level == ScopeLevel.INSTITUTION and self.institution and actor.organisation_id:
            return Q(**{self.institution: actor.organisation_id})
        if level == ScopeLevel.PERSON and self.person:
            return Q(**{self.person: actor.user_id})
        return None


class ScopedQuerySet(models.QuerySet[_M], Generic[_M]):
    """A queryset whose rows belong to organisations; read it through ``for_actor``."""

    def for_actor(self, actor: Actor | None) -> ScopedQuerySet[_M]:
        if actor is None or not actor.is_authenticated:
            return self.none()
        if actor.is_platform_admin:
            return self.all()
        scope: Scope = getattr(self.model, "scope")  # noqa: B009 - declared on every scoped model
        condition = scope.q_for(actor)
        if condition is None:
            return self.none()
        if "__" in (scope.path_for(actor.level or "") or ""):
            # A path across a to-many relation would repeat rows; filter by key instead.
            return self.filter(pk__in=self.model._default_manager.filter(condition).values("pk"))
        return self.filter(condition)


class ScopedManager(models.Manager[_M], Generic[_M]):
    def get_queryset(self) -> ScopedQuerySet[_M]:
        return ScopedQuerySet(self.model, using=self._db)

    def for_actor(self, actor: Actor | None) -> ScopedQuerySet[_M]:
        return self.get_queryset().for_actor(actor)


def scoped_models() -> list[type[models.Model]]:
    """Every concrete model that declares a scope (used by the scoping lint test)."""
    from django.apps import apps

    return [m for m in apps.get_models() if isinstance(getattr(m, "scope", None), Scope)]
