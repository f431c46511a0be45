"""credentialSchema validation against the bundled, hash-pinned schemas (never fetched).

Fixtures are used as published; where a fixture has no ``credentialSchema`` the test
adds an entry naming the purl URL (``_naming``) and says so.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

import shared.schema as schema_mod
from shared.errors import SchemaError
from shared.schema import (
    MAX_ERRORS,
    SchemaBundle,
    SchemaOutcome,
    bundled_schema_urls,
    default_bundle,
    load_schema,
    validate_credential_schemas,
)

V = Path(__file__).resolve().parents[2] / "vectors"
PACKAGE_SCHEMAS = Path(schema_mod.__file__).parent / "schemas"

PURL = "https://purl.imsglobal.org/spec"
OB_AC = f"{PURL}/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
OB_ENDORSEMENT = f"{PURL}/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
CLR = f"{PURL}/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
VC2 = "https://www.w3.org/2022/credentials/v2/verifiable-credential-schema.json"
VP2 = "https://www.w3.org/2022/credentials/v2/verifiable-presentation-schema.json"
T_1EDTECH = "1EdTechJsonSchemaValidator2019"


def _load(rel: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((V / rel).read_text("utf-8"))
    return data


def _naming(doc: dict[str, Any], url: str = OB_AC, kind: str = T_1EDTECH) -> dict[str, Any]:
    """A copy of a fixture that lacks credentialSchema, with an entry naming ``url`` added."""
    assert "credentialSchema" not in doc, "fixture already names a schema; use it as is"
    out = copy.deepcopy(doc)
    out["credentialSchema"] = [{"id": url, "type": kind}]
    return out


def _only(outcomes: list[SchemaOutcome]) -> SchemaOutcome:
    assert len(outcomes) == 1, outcomes
    return outcomes[0]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Record (and refuse) every socket connect and name lookup; the test asserts none."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield attempts
    assert attempts == []


def _bundle_copy(tmp_path: Path) -> Path:
    """A writable copy of the package bundle (the package data is never touched)."""
    target = tmp_path / "schemas"
    shutil.copytree(PACKAGE_SCHEMAS, target)
    return target


def _edit_index(root: Path, edit: Any) -> None:
    index = json.loads((root / "index.json").read_text("utf-8"))
    edit(index["schemas"])
    (root / "index.json").write_text(json.dumps(index), "utf-8")


# --- the bundle itself ----------------------------------------------------------------------


def test_bundle_is_byte_exact_and_pinned() -> None:
    index = json.loads((PACKAGE_SCHEMAS / "index.json").read_text("utf-8"))["schemas"]
    manifest = (V / "MANIFEST.md").read_text("utf-8")
    sources = [
        *(V / "schemas/ob3/purl").glob("*.json"),
        *(V / "schemas/clr2/purl").glob("*.json"),
        *(V / "schemas/vcdm2").glob("*.json"),
    ]
    assert {p.name for p in sources} == {p.name for p in PACKAGE_SCHEMAS.glob("*.json")} - {
        "index.json"
    }
    for src in sources:
        data = (PACKAGE_SCHEMAS / src.name).read_bytes()
        assert data == src.read_bytes(), src.name
        schema_id = json.loads(data)["$id"]
        pin = index[schema_id]
        assert pin == {"file": src.name, "sha256": hashlib.sha256(data).hexdigest()}
    # every purl URL the MANIFEST records for a bundled file is indexed
    for url in re.findall(r"\| (https://purl\.imsglobal\.org/spec/\S+?\.json) \(copy", manifest):
        assert url in index, url
    assert set(index) == bundled_schema_urls()
    for url in index:
        assert load_schema(url)["$id"] in index


def test_validators_are_compiled_once() -> None:
    bundle = default_bundle()
    assert bundle is default_bundle()
    assert bundle.validator(OB_AC) is bundle.validator(OB_AC)


def test_no_credential_schema_gives_no_outcomes() -> None:
    doc = _load("ob3/spec-test-vector/signed-credential.json")
    assert "credentialSchema" not in doc
    assert validate_credential_schemas(doc) == []


# --- credentials that conform ---------------------------------------------------------------

_UNNAMED_OB = [
    "ob3/spec-test-vector/signed-credential.json",
    "interop/dcc-verifier-core/v2/v2OBv3SpecExample.json",
    "interop/dcc-verifier-core/v2/v2NoStatus.json",
    "interop/dcc-verifier-core/v2/v2SimpleIssuerId.json",
    "interop/dcc-verifier-core/v2/v2WithValidStatus.json",
    "ob3/1edtech-validator/simple.json",
    "ob3/1edtech-validator/simple-did-key-method.json",
]


@pytest.mark.parametrize("rel", _UNNAMED_OB)
def test_ob_credentials_pass_when_named(rel: str) -> None:
    # These fixtures carry no credentialSchema: we add one naming the purl URL.
    outcome = _only(validate_credential_schemas(_naming(_load(rel))))
    assert (outcome.status, outcome.errors, outcome.code) == ("passed", [], None)
    assert outcome.schema_id == OB_AC
    assert outcome.schema_type == T_1EDTECH


_NAMED = [
    ("ob3/spec-examples/fullOpenBadge.json", OB_AC, T_1EDTECH),
    ("ob3/spec-examples/skillAssertionCase.json", OB_AC, T_1EDTECH),
    ("ob3/spec-examples/skillAssertionCtdl.json", OB_AC, T_1EDTECH),
    ("ob3/1edtech-validator/endorsement-valid.json", OB_ENDORSEMENT, T_1EDTECH),
    (
        "interop/dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/"
        "legacyRegistry-noStatus-notExpired-withSchema.json",
        OB_AC,
        "JsonSchema",
    ),
    (
        "interop/dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes/didkey/"
        "legacy-noStatus-notExpired-endorsement-withSchema.json",
        OB_ENDORSEMENT,
        T_1EDTECH,
    ),
    ("clr2/1edtech-validator/simple.json", CLR, T_1EDTECH),
    ("clr2/spec-test-vector/signed-credential.json", CLR, T_1EDTECH),
]


@pytest.mark.parametrize(("rel", "url", "kind"), _NAMED, ids=[n[0] for n in _NAMED])
def test_credentials_naming_a_bundled_schema_pass(rel: str, url: str, kind: str) -> None:
    outcome = _only(validate_credential_schemas(_load(rel)))
    assert (outcome.schema_id, outcome.schema_type) == (url, kind)
    assert (outcome.status, outcome.errors) == ("passed", [])


def test_vcdm2_json_schema_type_with_the_w3c_schema() -> None:
    doc = _load("ob3/spec-test-vector/signed-credential.json")
    outcome = _only(validate_credential_schemas(_naming(doc, VC2, "JsonSchema")))
    assert outcome.status == "passed"
    doc = copy.deepcopy(doc)
    doc["type"] = "OpenBadgeCredential"
    outcome = _only(validate_credential_schemas(_naming(doc, VC2, "JsonSchema")))
    assert outcome.status == "failed"
    assert outcome.errors and outcome.errors[0].startswith("at $.type: ")


# --- 1EdTech validator fixtures with schema errors ------------------------------------------

_SCHEMA_ERRORS = {
    # fixture -> an expected "at $.path: reason" line
    "simple-err-issuer.json": "at $: 'issuer' is a required property",
    "simple-err-credential-subject-type.json": (
        "at $.credentialSubject.type: must include 'AchievementSubject'"
    ),
    "simple-err-credential-subject-identifier-type.json": (
        "at $.credentialSubject.identifier[0].type: 'InvalidIdentityObject' is not one of "
        "['IdentityObject']"
    ),
    "simple-err-credential-subject-result-type.json": (
        "at $.credentialSubject.result[1].type: must include 'Result'"
    ),
    "simple-err-issuer-type.json": "at $.issuer.type: must include 'Profile'",
    "simple-err-issuer-parentorg-type.json": "at $.issuer.parentOrg.type: must include 'Profile'",
    "simple-err-issuer-otheridentifier-type.json": (
        "at $.issuer.otherIdentifier[1].type: 'InvalidIdentifierEntry' is not one of "
        "['IdentifierEntry']"
    ),
}


@pytest.mark.parametrize(("name", "expected"), sorted(_SCHEMA_ERRORS.items()))
def test_1edtech_schema_error_fixtures_fail(name: str, expected: str) -> None:
    # The fixtures carry no credentialSchema: we add one naming the OB purl URL.
    outcome = _only(validate_credential_schemas(_naming(_load(f"ob3/1edtech-validator/{name}"))))
    assert outcome.status == "failed"
    assert outcome.code == "schema.invalid-credential"
    assert expected in outcome.errors
    assert "does not match its schema" in outcome.message


@pytest.mark.parametrize(
    "name",
    [
        "simple-err-credential-subject-achievement-result-description-type.json",
        "simple-err-credential-subject-profile-type.json",
        "simple-err-evidence-type.json",
    ],
)
def test_string_typed_errors_are_not_schema_errors(name: str) -> None:
    # The wrong type here is a bare string ("InvalidEvidence", "InvalidProfile",
    # "InvalidResultDescription"). The purl schema's single-string branch of ``type`` is
    # any IRI; only the array branch requires the class name. Upstream rejects these
    # through its own type probes (EvidenceProbe, CredentialSubjectProbe), not JsonSchemaProbe.
    outcome = _only(validate_credential_schemas(_naming(_load(f"ob3/1edtech-validator/{name}"))))
    assert outcome.status == "passed"


def test_complete_names_the_bundled_schema_and_passes() -> None:
    # Upstream fails complete.json in InlineJsonSchemaProbe because it fetches the schema;
    # the URL it names is the purl AchievementCredential schema, which Satchel bundles.
    doc = _load("ob3/1edtech-validator/complete.json")
    assert doc["credentialSchema"] == [{"id": OB_AC, "type": T_1EDTECH}]
    assert _only(validate_credential_schemas(doc)).status == "passed"


def test_complete_v1_names_an_unbundled_schema(no_network: list[Any]) -> None:
    doc = _load("ob3/1edtech-validator/complete_v1.json")
    outcome = _only(validate_credential_schemas(doc))
    assert outcome.schema_id == f"{PURL}/ob/v3p0/schema/achievementcredential.json"
    assert (outcome.status, outcome.code) == ("warning", "schema.unknown")
    assert "not bundled; not fetched" in outcome.message


def test_one_outcome_per_entry() -> None:
    doc = _load("ob3/1edtech-validator/endorsement-err-schema-status-refresh.json")
    bundled, unknown = validate_credential_schemas(doc)
    assert bundled.schema_id == OB_ENDORSEMENT
    assert bundled.status == "failed"  # a VCDM 1.1 credential: v2 context and validFrom required
    assert "at $: 'validFrom' is a required property" in bundled.errors
    assert unknown.schema_id == "https://state.gov/schema/endorsementcredential.json"
    assert unknown.status == "warning"


# --- never the network ----------------------------------------------------------------------


def test_unknown_url_is_a_warning_without_a_socket(no_network: list[Any]) -> None:
    doc = _load("jose/vc-jose-cose-test-suite/input/credential-full.json")
    assert doc["credentialSchema"] == {
        "id": "https://example.org/examples/degree.json",
        "type": "JsonSchema",
    }
    outcome = _only(validate_credential_schemas(doc))
    assert outcome == SchemaOutcome(
        schema_id="https://example.org/examples/degree.json",
        schema_type="JsonSchema",
        status="warning",
        message=outcome.message,
        code="schema.unknown",
    )
    assert "not fetched" in outcome.message


def test_compiling_and_validating_open_no_socket(no_network: list[Any]) -> None:
    bundle = SchemaBundle.from_package()  # fresh: compiles (and meta-validates) here
    doc = _naming(_load("ob3/spec-test-vector/signed-credential.json"))
    assert _only(validate_credential_schemas(doc, bundle=bundle)).status == "passed"


def test_cross_file_refs_resolve_inside_the_bundle(no_network: list[Any]) -> None:
    vc = _load("ob3/spec-test-vector/signed-credential.json")
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [vc],
        "credentialSchema": {"id": VP2, "type": "JsonSchema"},
    }
    assert _only(validate_credential_schemas(vp)).status == "passed"
    vp["verifiableCredential"] = [{**vc, "type": ["OpenBadgeCredential"]}]
    failed = _only(validate_credential_schemas(vp))
    assert failed.status == "failed"
    assert failed.errors[0].startswith("at $.verifiableCredential[0].type: ")


def test_ref_leaving_the_bundle_is_refused(tmp_path: Path, no_network: list[Any]) -> None:
    root = _bundle_copy(tmp_path)
    _edit_index(root, lambda pins: pins.pop(VC2))  # the VP schema now points outside
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [_load("ob3/spec-test-vector/signed-credential.json")],
        "credentialSchema": {"id": VP2, "type": "JsonSchema"},
    }
    outcome = _only(validate_credential_schemas(vp, bundle=SchemaBundle.from_directory(root)))
    assert (outcome.status, outcome.code) == ("warning", "schema.external-ref")
    assert VC2 in outcome.message


def test_external_ref_in_a_custom_bundle(tmp_path: Path, no_network: list[Any]) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://schemas.example/outer.json",
        "properties": {"credentialSubject": {"$ref": "https://elsewhere.example/inner.json"}},
    }
    data = json.dumps(schema).encode()
    (tmp_path / "outer.json").write_bytes(data)
    pin = {"file": "outer.json", "sha256": hashlib.sha256(data).hexdigest()}
    (tmp_path / "index.json").write_text(json.dumps({"schemas": {schema["$id"]: pin}}))
    doc = {"credentialSchema": {"id": schema["$id"], "type": "JsonSchema"}, "credentialSubject": {}}
    outcome = _only(validate_credential_schemas(doc, bundle=SchemaBundle.from_directory(tmp_path)))
    assert (outcome.status, outcome.code) == ("warning", "schema.external-ref")
    assert "https://elsewhere.example/inner.json" in outcome.message


# --- pins -----------------------------------------------------------------------------------


def test_tampered_pin_is_detected(tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in PACKAGE_SCHEMAS.iterdir()}
    root = _bundle_copy(tmp_path)

    def corrupt(pins: dict[str, dict[str, str]]) -> None:
        pins[OB_AC]["sha256"] = "0" * 64

    _edit_index(root, corrupt)
    bundle = SchemaBundle.from_directory(root)
    doc = _naming(_load("ob3/1edtech-validator/simple.json"))
    outcome = _only(validate_credential_schemas(doc, bundle=bundle))
    assert (outcome.status, outcome.code) == ("failed", "schema.tampered")
    with pytest.raises(SchemaError) as info:
        bundle.load(OB_AC)
    assert info.value.code == "schema.tampered"
    assert {p.name: p.read_bytes() for p in PACKAGE_SCHEMAS.iterdir()} == before


def test_tampered_file_is_detected(tmp_path: Path) -> None:
    root = _bundle_copy(tmp_path)
    path = root / "ob_v3p0_achievementcredential_schema.json"
    path.write_bytes(path.read_bytes().replace(b'"issuer"', b'"issuer "', 1))
    doc = _naming(_load("ob3/1edtech-validator/simple.json"))
    outcome = _only(validate_credential_schemas(doc, bundle=SchemaBundle.from_directory(root)))
    assert (outcome.status, outcome.code) == ("failed", "schema.tampered")
    # the untouched schemas of the same copy still work
    clr = _load("clr2/1edtech-validator/simple.json")
    assert (
        _only(validate_credential_schemas(clr, bundle=SchemaBundle.from_directory(root))).status
        == "passed"
    )


def test_load_schema_unknown_url() -> None:
    with pytest.raises(SchemaError) as info:
        load_schema("https://example.org/nope.json")
    assert info.value.code == "schema.unknown"


# --- entries and types ----------------------------------------------------------------------


def test_unsupported_schema_types_are_warnings(no_network: list[Any]) -> None:
    doc = _load("vcdm2/test-suite/input/credential-schema-type-ok.json")
    outcome = _only(validate_credential_schemas(doc))
    assert (outcome.status, outcome.code) == ("warning", "schema.unsupported-type")
    assert outcome.schema_type == "ExampleJsonSchema"
    vc = _naming(_load("ob3/1edtech-validator/simple.json"), OB_AC, "JsonSchemaCredential")
    assert _only(validate_credential_schemas(vc)).status == "warning"


@pytest.mark.parametrize(
    "rel", ["credential-schema-no-id-fail.json", "credential-schema-no-type-fail.json"]
)
def test_malformed_entries_fail(rel: str) -> None:
    outcome = _only(validate_credential_schemas(_load(f"vcdm2/test-suite/input/{rel}")))
    assert (outcome.status, outcome.code) == ("failed", "schema.entry-invalid")


def test_credential_schema_of_the_wrong_shape_fails() -> None:
    outcome = _only(validate_credential_schemas({"credentialSchema": "https://x.example/s"}))
    assert (outcome.status, outcome.code) == ("failed", "schema.entry-invalid")
    outcome = _only(validate_credential_schemas({"credentialSchema": [42]}))
    assert outcome.status == "failed"


def test_errors_are_capped() -> None:
    doc = _naming(_load("ob3/1edtech-validator/simple.json"))
    for key in ("id", "name", "description", "awardedDate", "validFrom", "validUntil", "image"):
        doc[key] = 42
    for key in ("issuer", "credentialSubject", "@context", "type"):
        del doc[key]
    outcome = _only(validate_credential_schemas(doc))
    assert outcome.status == "failed"
    assert len(outcome.errors) == MAX_ERRORS
    assert f"more than {MAX_ERRORS}" in outcome.message
    assert all(e.startswith("at $") and ": " in e for e in outcome.errors)


def test_outcome_serialises() -> None:
    doc = _naming(_load("ob3/1edtech-validator/simple-err-issuer-type.json"))
    encoded = json.loads(msgspec.json.encode(validate_credential_schemas(doc)))
    assert encoded[0]["status"] == "failed"
    assert encoded[0]["errors"] == ["at $.issuer.type: must include 'Profile'"]


# --- hostile shapes -------------------------------------------------------------------------


def test_deep_document_fails_without_crashing() -> None:
    doc = _naming(_load("ob3/1edtech-validator/simple.json"))
    node: list[Any] = []
    doc["credentialSubject"]["junk"] = node
    for _ in range(100_000):
        node.append([])
        node = node[0]
    outcome = _only(validate_credential_schemas(doc))
    assert (outcome.status, outcome.code) == ("failed", "schema.too-deep")


def test_recursion_inside_the_validator_is_contained() -> None:
    # Past the depth guard the validator itself runs out of stack: still an outcome.
    doc = _naming(_load("ob3/1edtech-validator/simple.json"))
    org = doc["issuer"]
    for i in range(5_000):
        org["parentOrg"] = {"id": f"https://example.com/orgs/{i}", "type": ["Profile"]}
        org = org["parentOrg"]
    outcome = _only(validate_credential_schemas(doc, max_depth=10**9))
    assert (outcome.status, outcome.code) == ("failed", "schema.too-deep")
    # and the validator still works afterwards
    simple = _naming(_load("ob3/1edtech-validator/simple.json"))
    assert _only(validate_credential_schemas(simple)).status == "passed"


def test_a_reasonably_nested_chain_is_validated() -> None:
    doc = _naming(_load("ob3/1edtech-validator/simple.json"))
    org = doc["issuer"]
    for i in range(40):
        org["parentOrg"] = {"id": f"https://example.com/orgs/{i}", "type": ["Profile"]}
        org = org["parentOrg"]
    org["parentOrg"] = {"id": "https://example.com/orgs/bad", "type": ["Nope"]}
    outcome = _only(validate_credential_schemas(doc))
    assert outcome.status == "failed"
    assert outcome.errors[0].endswith(".type: must include 'Profile'")
