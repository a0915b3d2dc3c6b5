"""Views and API modules must read scoped models through ``for_actor`` (STYLE.md 3).

The check parses every views/api module under src/skillcert and flags
``<ScopedModel>.objects.<anything but for_actor>``, ``<ScopedModel>._default_manager``
and ``get_object_or_404(<ScopedModel>, …)``. Selectors and services may do more; the
modules that face requests may not.
"""

from __future__ import annotations

import ast
from pathlib import Path

from skillcert.core.scoping import scoped_models

SRC = Path(__file__).resolve().parents[2] / "src" / "skillcert"


def request_facing_modules() -> list[Path]:
    found: list[Path] = []
    for path in SRC.rglob("*.py"):
        parts = set(path.relative_to(SRC).parts)
        if (
            path.stem in {"views", "api"}
            or path.stem.startswith("views_")
            or parts & {"views", "api"}
        ):
            found.append(path)
    return sorted(found)


def unscoped_queries(source: str, model_names: set[str]) -> list[str]:
    problems: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            inner = node.value
            if (
                isinstance(inner.value, ast.Name)
                and inner.value.id in model_names
                and inner.attr in {"objects", "_default_manager", "_base_manager"}
                and node.attr != "for_actor"
            ):
                problems.append(
                    (node.lineno, f"line {node.lineno}: {inner.value.id}.{inner.attr}.{node.attr}")
                )
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"get_object_or_404", "get_list_or_404"}
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in model_names
        ):
            problems.append(
                (node.lineno, f"line {node.lineno}: {node.func.id}({node.args[0].id}, …)")
            )
    return [text for _, text in sorted(problems)]


def test_the_check_catches_an_unscoped_query() -> None:
    bad = (
        "def v(request):\n"
        "    a = Organisation.objects.filter(pk=1)\n"
        "    b = get_object_or_404(Organisation, pk=1)\n"
        "    c = Organisation.objects.for_actor(request.actor).get(pk=1)\n"
    )
    assert unscoped_queries(bad, {"Organisation"}) == [
        "line 2: Organisation.objects.filter",
        "line 3: get_object_or_404(Organisation, …)",
    ]


def test_scoped_models_are_registered() -> None:
    names = {m.__name__ for m in scoped_models()}
    assert {"Organisation", "Membership", "AuditEvent"} <= names


def test_views_and_api_modules_query_scoped_models_only_through_for_actor() -> None:
    names = {m.__name__ for m in scoped_models()}
    modules = request_facing_modules()
    assert modules, "no views or api modules found"
    problems = {
        str(path.relative_to(SRC)): found
        for path in modules
        if (found := unscoped_queries(path.read_text(encoding="utf-8"), names))
    }
    assert problems == {}
