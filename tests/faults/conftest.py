"""Fixtures of the fault tests: a real instance on a temporary SQLite file."""
import pytest

from tests.faults.instance import Instance


@pytest.fixture
def instance(tmp_path):
    """A migrated instance with alice (``instance.tokens['alice']``); its server is killed at the end."""
    inst = Instance(tmp_path / "instance")
    inst.path.mkdir()
    inst.tokens = inst.setup("alice")
    yield inst
    inst.stop()
