"""Scopes shared by the supervision models."""

from __future__ import annotations

from skillcert.core.scoping import Scope

# Rows about one institution: its province's and city's officials, and the institution.
INSTITUTION_SCOPE = Scope(
    province="institution__organisation__province_id",
    city="institution__organisation__city_id",
    institution="institution__organisation_id",
)

# Rows that belong to an authority's work (plans, alerts): officials only.
AUTHORITY_SCOPE = Scope(province="province_id", city="organisation__city_id")
