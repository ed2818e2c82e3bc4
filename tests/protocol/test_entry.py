"""The entry schema shipped in the package is the one the code builds entries by."""

import json

from memgym.protocol.entry import SCHEMA_PATH, schema


def test_the_shipped_schema_is_current():
    """If this fails, run `memgym eval --fingerprint --write` (it writes the schema too)."""
    assert json.loads(SCHEMA_PATH.read_text()) == schema()
