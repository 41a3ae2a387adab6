"""Fixtures of the security walks: alice's seeded items."""
import pytest

from tests.security.routes import seed_alice


@pytest.fixture
def seed(app, alice_client, token):
    """alice's pastes, bookmarks, wiki page, attachment, import run and token (see ``routes.Seed``)."""
    return seed_alice(app, alice_client, token)
