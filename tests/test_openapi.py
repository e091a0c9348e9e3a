"""The OpenAPI document tells the truth: how to authenticate, every error an operation can
answer with as a problem+json body, and bounds on every input. (tests/test_contract.py checks
the answers against it.)"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from soash.app import create_app
from soash.openapi import RAISES, operations

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with TestClient(create_app()) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]


def test_it_names_both_ways_to_authenticate(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearer"]["description"],
    }
    assert schemes["cookie"]["in"] == "cookie"
    assert schemes["cookie"]["name"] == "soash_session"


def test_signed_in_operations_say_so_and_the_others_do_not(spec: dict[str, Any]) -> None:
    public = {
        ("POST", "/api/v1/auth/register"),
        ("POST", "/api/v1/auth/login"),
        ("GET", "/healthz"),
        ("POST", "/api/v1/billing/stripe/webhook"),
    }
    for method, path, op in _operations(spec):
        signed_in = op["security"] == [{"bearer": []}, {"cookie": []}]
        if (method, path) in public:
            assert op["security"] == [], path
        if signed_in:
            assert "401" in op["responses"], path
    assert sum(1 for _, _, op in _operations(spec) if op["security"]) > 30


def test_every_error_is_a_problem_document(spec: dict[str, Any]) -> None:
    for method, path, op in _operations(spec):
        for status, response in op["responses"].items():
            if int(status) < 400:
                continue
            assert response["content"] == {"application/problem+json": {"schema": PROBLEM}}, (
                f"{method} {path} {status}"
            )
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    problem = schemas["Problem"]
    assert set(problem["required"]) == {"title", "status", "detail"}
    assert problem["properties"]["errors"]["anyOf"][0]["items"] == {
        "$ref": "#/components/schemas/ProblemField"
    }


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("GET", "/api/v1/me", {"401", "503"}),
        ("PATCH", "/api/v1/me", {"400", "401", "403", "409", "413", "422", "429", "503"}),
        ("GET", "/api/v1/posts/{post_id}", {"401", "404", "422", "503"}),
        ("POST", "/api/v1/auth/login", {"400", "401", "403", "413", "422", "429", "503"}),
        ("GET", "/readyz", {"503"}),
        ("GET", "/healthz", set()),
    ],
)
def test_each_operation_lists_the_errors_it_can_answer(
    spec: dict[str, Any], method: str, path: str, statuses: set[str]
) -> None:
    documented = {s for s in spec["paths"][path][method.lower()]["responses"] if int(s) >= 400}
    assert documented == statuses


def test_the_table_of_raised_errors_names_real_operations() -> None:
    known = {(method, path) for method, path, _ in operations(create_app())}
    assert set(RAISES) <= known
    assert len(known) == 65


def _unbounded(schema: dict[str, Any], components: dict[str, Any], where: str) -> list[str]:
    if "$ref" in schema:
        return _unbounded(components[schema["$ref"].split("/")[-1]], components, where)
    found = []
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += _unbounded(option, components, where)
    kind = schema.get("type")
    bounded = {"maxLength", "enum", "format", "const"} & set(schema)
    is_file = schema.get("contentMediaType") == "application/octet-stream"  # bounded by 413
    if kind == "string" and not bounded and not is_file:
        found.append(where)
    if kind == "integer" and not {"minimum", "maximum"} <= set(schema):
        found.append(where)
    if kind == "array":
        if "maxItems" not in schema:
            found.append(where)
        found += _unbounded(schema.get("items", {}), components, f"{where}[]")
    for name, prop in schema.get("properties", {}).items():
        found += _unbounded(prop, components, f"{where}.{name}")
    return found


def test_every_input_is_bounded(spec: dict[str, Any]) -> None:
    components = spec["components"]["schemas"]
    unbounded = []
    for method, path, op in _operations(spec):
        for param in op.get("parameters", []):
            where = f"{method} {path} {param['name']}"
            unbounded += _unbounded(param["schema"], components, where)
            if "'format': 'date'" in str(param["schema"]):
                assert "between 1900-01-01 and 2200-12-31" in param["description"], where
        for media in op.get("requestBody", {}).get("content", {}).values():
            unbounded += _unbounded(media["schema"], components, f"{method} {path} body")
    assert unbounded == []
