"""``credentialSchema`` validation against bundled, hash-pinned JSON Schemas.

Every schema Satchel applies ships as package data in ``schemas/`` and is listed
in ``schemas/index.json`` (canonical URL -> file + sha256). A schema URL that is
not bundled gives a warning; nothing is ever fetched, and a ``$ref`` that leaves
the bundle is refused by the registry's retrieve function. Validators are
compiled once per schema and reused. Formats are not asserted (the bundled
schemas use none).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import msgspec

from shared.errors import SchemaError

if TYPE_CHECKING:  # jsonschema is imported only when a credential names a schema
    from jsonschema.exceptions import ValidationError
    from referencing import Resource

__all__ = [
    "MAX_DEPTH",
    "MAX_ERRORS",
    "SUPPORTED_SCHEMA_TYPES",
    "SchemaBundle",
    "SchemaOutcome",
    "bundled_schema_urls",
    "default_bundle",
    "load_schema",
    "validate_credential_schemas",
]

_PACKAGE = "shared.schema"

#: credentialSchema types whose ``id`` is a JSON Schema applied to the whole credential.
SUPPORTED_SCHEMA_TYPES = frozenset(
    {"1EdTechJsonSchemaValidator2019", "JsonSchema", "JsonSchema2023"}
)

#: At most this many errors are reported per schema.
MAX_ERRORS = 10

#: Documents nested deeper than this are not handed to the (recursive) validator.
MAX_DEPTH = 64

_MAX_REASON = 200


@cache
def _drafts() -> dict[str, Any]:
    import jsonschema

    return {
        "https://json-schema.org/draft/2020-12/schema": jsonschema.Draft202012Validator,
        "https://json-schema.org/draft/2019-09/schema": jsonschema.Draft201909Validator,
        "http://json-schema.org/draft-07/schema": jsonschema.Draft7Validator,
        "http://json-schema.org/draft-06/schema": jsonschema.Draft6Validator,
        "http://json-schema.org/draft-04/schema": jsonschema.Draft4Validator,
    }


Status = Literal["passed", "failed", "warning"]


class SchemaOutcome(msgspec.Struct, frozen=True, omit_defaults=True):
    """The result of applying one ``credentialSchema`` entry."""

    schema_id: str
    schema_type: str
    status: Status
    message: str
    errors: list[str] = []
    code: str | None = None


class _Validator(Protocol):
    def iter_errors(self, instance: Any) -> Iterator[ValidationError]: ...


class SchemaBundle:
    """Bundled schemas: URL -> pinned file, loaded, checked and compiled on first use."""

    def __init__(self, root: Traversable) -> None:
        self._root = root
        index = json.loads(root.joinpath("index.json").read_bytes())
        self._pins: dict[str, dict[str, str]] = dict(index["schemas"])
        self._schemas: dict[str, dict[str, Any]] = {}
        self._validators: dict[str, _Validator] = {}

    @classmethod
    def from_package(cls) -> SchemaBundle:
        """The bundle shipped as package data."""
        return cls(resources.files(_PACKAGE).joinpath("schemas"))

    @classmethod
    def from_directory(cls, path: str | Path) -> SchemaBundle:
        """A bundle in a directory holding ``index.json`` and the schema files."""
        return cls(Path(path))

    def urls(self) -> frozenset[str]:
        """Every URL the bundle answers for."""
        return frozenset(self._pins)

    def load(self, url: str) -> dict[str, Any]:
        """The parsed schema for ``url``; raises ``SchemaError`` if unknown or tampered."""
        pin = self._pins.get(url)
        if pin is None:
            raise SchemaError(
                f"The schema {url!r} is not bundled with Satchel, and schemas are never fetched.",
                code="schema.unknown",
                url=url,
            )
        cached = self._schemas.get(pin["file"])
        if cached is not None:
            return cached
        data = self._root.joinpath(pin["file"]).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != pin["sha256"]:
            raise SchemaError(
                f"Satchel's bundled copy of the schema {url!r} does not match its pinned "
                "sha256; refusing to use it.",
                code="schema.tampered",
                url=url,
                expected=pin["sha256"],
                actual=digest,
            )
        schema = json.loads(data)
        if not isinstance(schema, dict):
            raise SchemaError(
                f"The bundled schema {url!r} is not a JSON object.", code="schema.invalid", url=url
            )
        self._schemas[pin["file"]] = schema
        return schema

    def validator(self, url: str) -> _Validator:
        """The compiled validator for ``url`` (cached; compiling is idempotent)."""
        compiled = self._validators.get(url)
        if compiled is not None:
            return compiled
        from jsonschema.exceptions import SchemaError as JsonSchemaSchemaError
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        schema = self.load(url)
        dialect = schema.get("$schema")
        cls = _drafts().get(dialect.rstrip("#")) if isinstance(dialect, str) else None
        if cls is None:
            raise SchemaError(
                f"The bundled schema {url!r} uses an unsupported JSON Schema dialect {dialect!r}.",
                code="schema.invalid",
                url=url,
            )
        try:
            cls.check_schema(schema)
        except JsonSchemaSchemaError as exc:
            raise SchemaError(
                f"The bundled schema {url!r} is not a valid JSON Schema: {exc.message}",
                code="schema.invalid",
                url=url,
            ) from exc
        resource: Resource[Any] = Resource.from_contents(schema, default_specification=DRAFT202012)
        names = {url}
        if isinstance(schema.get("$id"), str):
            names.add(schema["$id"])
        # mypy's attrs plugin misses the ``retrieve`` alias of referencing's ``_retrieve`` field.
        empty: Registry[Any] = Registry(retrieve=self._retrieve)  # type: ignore[call-arg]
        registry = empty.with_resources((name, resource) for name in names)
        built: _Validator = cls(schema, registry=registry)
        self._validators[url] = built
        return built

    def _retrieve(self, uri: str) -> Resource[Any]:
        """Registry retrieve hook: bundled schemas only, never the network."""
        from referencing import Resource
        from referencing.jsonschema import DRAFT202012

        if uri not in self._pins:
            raise SchemaError(
                f"The schema refers to {uri!r}, which is not bundled; it was not fetched.",
                code="schema.external-ref",
                url=uri,
            )
        return Resource.from_contents(self.load(uri), default_specification=DRAFT202012)


@cache
def default_bundle() -> SchemaBundle:
    """The package-data bundle (one instance, so compiled validators are shared)."""
    return SchemaBundle.from_package()


def bundled_schema_urls() -> frozenset[str]:
    """The URLs of every bundled schema."""
    return default_bundle().urls()


def load_schema(url: str) -> dict[str, Any]:
    """The parsed bundled schema at ``url`` (hash-checked); raises ``SchemaError``."""
    return default_bundle().load(url)


def _truncate(text: str) -> str:
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


_PREFERRED = frozenset({"contains", "enum", "const", "required", "additionalProperties"})


def _leaf(error: ValidationError) -> ValidationError:
    """Descend oneOf/anyOf failures to the deepest informative branch error."""
    while error.context:
        branches = [c for c in error.context if c.validator != "type"] or list(error.context)
        error = max(branches, key=lambda c: (len(c.absolute_path), c.validator in _PREFERRED))
    return error


def _reason(error: ValidationError) -> str:
    wanted = error.schema.get("contains") if isinstance(error.schema, dict) else None
    if error.validator == "contains" and isinstance(wanted, dict) and "enum" in wanted:
        return "must include " + " or ".join(repr(v) for v in wanted["enum"])
    return _truncate(error.message)


def _describe(error: ValidationError) -> str:
    """One "at $.path: reason" line."""
    leaf = _leaf(error)
    return f"at {leaf.json_path}: {_reason(leaf)}"


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (iterative, so it cannot overflow)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return False


def _is_rust_panic(exc: BaseException) -> bool:
    """A pyo3 panic: rpds (under ``referencing``) turns a RecursionError into one."""
    kind = type(exc)
    return kind.__name__ == "PanicException" and kind.__module__ == "pyo3_runtime"


def _too_deep(schema_id: str, schema_type: str) -> SchemaOutcome:
    return SchemaOutcome(
        schema_id=schema_id,
        schema_type=schema_type,
        status="failed",
        message="The credential is nested too deeply to be checked against its schema.",
        code="schema.too-deep",
    )


def _schema_error_in(exc: BaseException) -> SchemaError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, SchemaError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _outcome_for_error(schema_id: str, schema_type: str, exc: SchemaError) -> SchemaOutcome:
    """Unknown or partly unbundled schema -> warning; tampered/invalid bundle -> failed."""
    warn = exc.code in {"schema.unknown", "schema.external-ref"}
    if exc.code == "schema.unknown":
        message = "Schema not bundled; not fetched, so the credential was not checked against it."
    else:
        message = f"The credential could not be checked against its schema: {exc.message}"
    return SchemaOutcome(
        schema_id=schema_id,
        schema_type=schema_type,
        status="warning" if warn else "failed",
        message=message,
        code=exc.code,
    )


def _check_one(
    document: dict[str, Any], entry: Any, bundle: SchemaBundle, *, too_deep: bool
) -> SchemaOutcome:
    from referencing.exceptions import Unresolvable

    if not isinstance(entry, dict):
        return SchemaOutcome(
            schema_id="",
            schema_type="",
            status="failed",
            message="A credentialSchema entry is not an object.",
            code="schema.entry-invalid",
        )
    schema_id, raw_type = entry.get("id"), entry.get("type")
    types = [raw_type] if isinstance(raw_type, str) else raw_type
    if (
        not isinstance(schema_id, str)
        or not isinstance(types, list)
        or not types
        or not all(isinstance(t, str) for t in types)
    ):
        return SchemaOutcome(
            schema_id=schema_id if isinstance(schema_id, str) else "",
            schema_type=raw_type if isinstance(raw_type, str) else "",
            status="failed",
            message="A credentialSchema entry needs a string id and a type.",
            code="schema.entry-invalid",
        )
    supported = [t for t in types if t in SUPPORTED_SCHEMA_TYPES]
    schema_type = supported[0] if supported else " ".join(types)
    if not supported:
        return SchemaOutcome(
            schema_id=schema_id,
            schema_type=schema_type,
            status="warning",
            message=f"Schema type {schema_type!r} is not supported; the schema was not checked.",
            code="schema.unsupported-type",
        )
    try:
        validator = bundle.validator(schema_id)
        if too_deep:
            return _too_deep(schema_id, schema_type)
        found = list(islice(validator.iter_errors(document), MAX_ERRORS + 1))
        errors = [_describe(e) for e in found[:MAX_ERRORS]]
    except SchemaError as exc:
        return _outcome_for_error(schema_id, schema_type, exc)
    except Unresolvable as exc:
        cause = _schema_error_in(exc) or SchemaError(
            f"a reference could not be resolved inside the bundle ({exc}).",
            code="schema.external-ref",
        )
        return _outcome_for_error(schema_id, schema_type, cause)
    except RecursionError:
        return _too_deep(schema_id, schema_type)
    except BaseException as exc:
        if not _is_rust_panic(exc):
            raise
        return _too_deep(schema_id, schema_type)
    if not found:
        return SchemaOutcome(
            schema_id=schema_id,
            schema_type=schema_type,
            status="passed",
            message="The credential matches its schema.",
        )
    count = f"more than {MAX_ERRORS}" if len(found) > MAX_ERRORS else str(len(found))
    plural = "" if len(found) == 1 else "s"
    return SchemaOutcome(
        schema_id=schema_id,
        schema_type=schema_type,
        status="failed",
        message=f"The credential does not match its schema ({count} problem{plural}).",
        errors=errors,
        code="schema.invalid-credential",
    )


def validate_credential_schemas(
    document: dict[str, Any],
    *,
    bundle: SchemaBundle | None = None,
    max_depth: int = MAX_DEPTH,
) -> list[SchemaOutcome]:
    """Apply every ``credentialSchema`` entry of ``document``; one outcome per entry.

    No ``credentialSchema`` gives an empty list. Only bundled schemas are used;
    a document nested deeper than ``max_depth`` fails without being validated.
    """
    if not isinstance(document, dict) or "credentialSchema" not in document:
        return []
    entries = document["credentialSchema"]
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        return [
            SchemaOutcome(
                schema_id="",
                schema_type="",
                status="failed",
                message="credentialSchema must be an object or a list of objects.",
                code="schema.entry-invalid",
            )
        ]
    active = bundle if bundle is not None else default_bundle()
    too_deep = _depth_exceeds(document, max_depth)
    return [_check_one(document, entry, active, too_deep=too_deep) for entry in entries]
