"""JSON-LD with vendored, pinned contexts only: nothing is ever fetched.

The contexts under ``contexts/`` are copied from published packages (see contexts/README.md);
each file's SHA-256 is pinned here and checked when it is first read, so an edited context
cannot change what a signature covers without a test failing.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pyld import jsonld

from skillcert.core.errors import DomainError

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

# URL -> (file under contexts/, SHA-256 of the file's bytes).
CONTEXTS: dict[str, tuple[str, str]] = {
    VC_V2: (
        "credentials-v2.jsonld",
        "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f",
    ),
    OB_V3: (
        "ob-v3p0-context-3.0.3.json",
        "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
    ),
    DID_V1: (
        "did-v1.jsonld",
        "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f",
    ),
    MULTIKEY_V1: (
        "multikey-v1.jsonld",
        "c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6",
    ),
}

# Undefined terms expand under this vocabulary when checking, so they can be found.
_UNDEFINED_VOCAB = "urn:skillcert:undefined-term:"


class ContextError(DomainError):
    """A document uses a context or a term that the vendored contexts do not define."""

    def __init__(self, message: str, *, code: str = "jsonld_context") -> None:
        super().__init__(message, code=code)


@functools.cache
def load_context(url: str) -> Mapping[str, Any]:
    """The vendored context document for ``url``; its hash must match the pin."""
    try:
        filename, pinned = CONTEXTS[url]
    except KeyError:
        raise ContextError(f"不使用未收录的 JSON-LD 上下文：{url}") from None
    data = (CONTEXTS_DIR / filename).read_bytes()
    if hashlib.sha256(data).hexdigest() != pinned:
        raise ContextError(f"JSON-LD 上下文文件 {filename} 与固定的哈希值不符。")
    document: dict[str, Any] = json.loads(data)
    return document


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader that serves the vendored contexts and refuses everything else."""
    return {
        "contextUrl": None,
        "documentUrl": url,
        # pyld may modify what it is given; hand out a copy of the cached context.
        "document": copy.deepcopy(dict(load_context(url))),
    }


def _options(**extra: Any) -> dict[str, Any]:
    return {"documentLoader": document_loader, **extra}


def _jsonld_failure(exc: jsonld.JsonLdError) -> ContextError:
    return ContextError(f"JSON-LD 处理失败：{exc}", code="jsonld_invalid")


def expand(document: Mapping[str, Any]) -> list[Any]:
    try:
        result: list[Any] = jsonld.expand(copy.deepcopy(dict(document)), _options())
    except jsonld.JsonLdError as exc:
        raise _jsonld_failure(exc) from exc
    return result


def canonize(document: Mapping[str, Any]) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, the URDNA2015 algorithm) as N-Quads."""
    try:
        nquads: str = jsonld.normalize(
            copy.deepcopy(dict(document)),
            _options(algorithm="URDNA2015", format="application/n-quads"),
        )
    except jsonld.JsonLdError as exc:
        raise _jsonld_failure(exc) from exc
    return nquads


def _walk_compact(value: Any, path: str) -> Iterator[str]:
    """Keys and type names that are IRIs rather than terms, and embedded contexts."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_compact(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if key == "@context":
                if path:
                    yield f"{where}（内嵌上下文）"
                continue
            if ":" in key:
                yield where
            if key in ("type", "@type"):
                types = item if isinstance(item, list) else [item]
                yield from (f"{where}={t}" for t in types if isinstance(t, str) and ":" in t)
            yield from _walk_compact(item, where)


def _walk_expanded(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _walk_expanded(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key.startswith(_UNDEFINED_VOCAB):
                yield key.removeprefix(_UNDEFINED_VOCAB)
            if key == "@type":
                types = item if isinstance(item, list) else [item]
                for t in types:
                    if isinstance(t, str) and t.startswith(_UNDEFINED_VOCAB):
                        yield t.removeprefix(_UNDEFINED_VOCAB)
            yield from _walk_expanded(item)


def undefined_terms(document: Mapping[str, Any]) -> list[str]:
    """Terms (keys and type names) of ``document`` that its contexts do not define.

    Plain expansion drops such terms silently. Expanding once more with a catch-all
    ``@vocab`` appended after the document's own contexts turns each of them into an IRI
    under a private prefix, which is then looked for; keys or types written as IRIs and
    contexts embedded below the top level are refused too, so every statement that is
    signed comes from a term of a vendored context.
    """
    found = list(_walk_compact(document, ""))
    contexts = document.get("@context")
    if contexts is None:
        return [*found, "@context（缺少上下文）"]
    listed = contexts if isinstance(contexts, list) else [contexts]
    for entry in listed:
        if not isinstance(entry, str):
            found.append("@context（内联上下文）")
        elif entry not in CONTEXTS:
            found.append(f"@context（未收录：{entry}）")
    if found:
        return sorted(set(found))
    probe = dict(document)
    probe["@context"] = [*listed, {"@vocab": _UNDEFINED_VOCAB}]
    found.extend(_walk_expanded(expand(probe)))
    return sorted(set(found))


def require_defined_terms(document: Mapping[str, Any]) -> None:
    """Raise :class:`ContextError` naming every undefined term of ``document``."""
    undefined = undefined_terms(document)
    if undefined:
        raise ContextError(
            "文档中有上下文未定义的术语，不能签名：" + "、".join(undefined),
            code="jsonld_undefined_term",
        )
