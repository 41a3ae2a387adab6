"""The OpenAPI document matches what the API does: schemathesis drives every operation."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance


@pytest.fixture
def api_app(make_app):
    """An app with sample data of every kind, and rate limits out of the fuzzer's way.

    The token's user has a paste, a bookmark and a wiki page, and another of each for
    the DELETE operations (``FUZZ_ITEMS``): requests naming them get past the 404.
    """
    app = make_app(RATELIMIT_API="100000/minute", RATELIMIT_ANONYMOUS="100000/minute")
    from suite.auth.accounts import create_token, create_user
    with app.test_request_context():  # the search index stores each item's address
        user = create_user("fuzzer", "long enough password")
        app.config["FUZZ_TOKEN"] = create_token(user, "schemathesis")[1]
        app.config["FUZZ_ITEMS"] = {"kept": _sample_items(user, "kept"), "deleted": _sample_items(user, "deleted")}
    return app


def _sample_items(user, label):
    """A paste, a bookmark and a wiki page of ``user``'s: the path parameters that name them."""
    from suite.bookmarks.bookmarks import add_bookmark
    from suite.pastebin.pastes import FileInput, create_paste
    from suite.wiki.pages import save_page
    paste = create_paste([FileInput("sample.py", "print('sample')\n")], user=user, title=f"Sample {label}")
    # not fetched now; a loopback address, which the fetcher refuses unsent (POST .../retry fetches
    # the address a generated PUT gave it instead, a made-up name as POST /bookmarks saves, only looked up)
    bookmark, _ = add_bookmark(user, f"http://127.0.0.1:9/{label}", title="Sample", enqueue=False)
    title = f"Sample {label}"
    save_page(title, "A *sample* page.\n", 0, user)
    return {"slug": paste.slug, "number": 1, "bookmark_id": bookmark.id, "title": title}


def operations(app):
    """Every operation of the app's live OpenAPI document."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_api_conforms_to_its_openapi_document(api_app):
    """No 5xx, status codes, content types and bodies as documented, for generated requests.

    A request with path parameters is sent again naming a sample item of the token's
    user (``FUZZ_ITEMS``), since a generated slug, id or title names none: a 404 alone.
    """
    headers = {"Authorization": f"Bearer {api_app.config['FUZZ_TOKEN']}"}
    checked, on_samples = [], {}
    for operation in operations(api_app):
        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            # Not checked: "schema-valid data is accepted" — rules such as "a URL needs a
            # public host" or "a paste is not only whitespace" are not expressible in JSON Schema.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
            if case.path_parameters:
                sample = api_app.config["FUZZ_ITEMS"]["deleted" if case.method.upper() == "DELETE" else "kept"]
                case.path_parameters = {name: sample[name] for name in case.path_parameters}
                resp = case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
                on_samples.setdefault(case.operation.label, set()).add(resp.status_code)
        run()
        checked.append(operation.label)
    assert len(checked) >= 10
    assert {label for label, codes in on_samples.items() if codes - {404}} == set(on_samples), on_samples
    answered = {(label, code) for label, codes in on_samples.items() for code in codes}
    assert {("GET /api/v1/pastes/{slug}", 200), ("PATCH /api/v1/pastes/{slug}", 200),
            ("DELETE /api/v1/pastes/{slug}", 204), ("GET /api/v1/bookmarks/{bookmark_id}", 200),
            ("GET /api/v1/wiki/{title}", 200)} <= answered, on_samples


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
