"""Wiki fixtures: a helper that saves pages through the real edit form."""
import re

import pytest


class WikiActions:
    """Create and edit pages as a signed-in client would."""

    def __init__(self, client):
        self.client = client

    def edit_form(self, title):
        """GET the edit form; returns (status, base_revision, content)."""
        resp = self.client.get(f"/wiki/{title}/edit")
        base = re.search(rb'name="base_revision" type="hidden" value="(\d*)"', resp.data)
        return resp, int(base.group(1) or 0) if base else None

    def editor(self, title):
        """GET the edit form; returns its hidden fields (base_revision, page_id, base_hash), as a browser keeps them."""
        resp = self.client.get(f"/wiki/{title}/edit")
        fields = dict(re.findall(rb'name="(base_revision|page_id|base_hash)" type="hidden" value="(\w*)"', resp.data))
        return {name.decode(): value.decode() for name, value in fields.items()}

    def save(self, title, content, base=None, message="", **extra):
        """POST the edit form (base defaults to the page's current revision, with its page_id)."""
        data = {"content": content, "base_revision": base, "message": message, "save": "Save"}
        if base is None:
            data.update(self.editor(title))
        data.update(extra)
        return self.client.post(f"/wiki/{title}/edit", data=data)


@pytest.fixture
def wiki(alice_client):
    """WikiActions for alice."""
    return WikiActions(alice_client)


@pytest.fixture
def bob_wiki(bob_client):
    """WikiActions for bob."""
    return WikiActions(bob_client)
