"""The OpenAPI document matches what the API does: schemathesis drives every operation."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance


@pytest.fixture
def api_app(make_app):
    """An app with sample data of every kind, and rate limits out of the fuzzer's way."""
    app = make_app(RATELIMIT_API="100000/minute", RATELIMIT_ANONYMOUS="100000/minute")
    from suite.auth.accounts import create_token, create_user
    with app.app_context():
        user = create_user("fuzzer", "long enough password")
        app.config["FUZZ_TOKEN"] = create_token(user, "schemathesis")[1]
    return app


def operations(app):
    """Every operation of the app's live OpenAPI document."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_api_conforms_to_its_openapi_document(api_app):
    """No 5xx, status codes, content types and bodies as documented, for generated requests."""
    headers = {"Authorization": f"Bearer {api_app.config['FUZZ_TOKEN']}"}
    checked = []
    for operation in operations(api_app):
        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            # Not checked: "schema-valid data is accepted" — rules such as "a URL needs a
            # public host" or "a paste is not only whitespace" are not expressible in JSON Schema.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
        run()
        checked.append(operation.label)
    assert len(checked) >= 10


def test_document_lists_every_api_rule_and_method(api_app):
    """Every /api/v1 route is described, with each of its methods (a new endpoint must be documented)."""
    doc = api_app.test_client().get("/api/v1/openapi.json").json
    documented = {(_plain(path), method.upper()) for path, ops in doc["paths"].items() for method in ops}
    served = {(_plain(str(r.rule).replace("<", "{").replace(">", "}")), method)
              for r in api_app.url_map.iter_rules() if str(r.rule).startswith("/api/")
              for method in r.methods - {"HEAD", "OPTIONS"}}
    assert served - documented == set()


def _plain(path):
    import re
    return re.sub(r"\{(?:[a-z]+:)?([a-z_]+)\}", r"{\1}", path)
