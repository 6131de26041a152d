"""The committed JSON Schemas match the pydantic models and validate a real record."""

import json

import jsonschema

from hub.directory import jsonschema_export
from hub.settings import SCHEMAS_DIR


def test_committed_schemas_are_current() -> None:
    for name, text in jsonschema_export.render().items():
        committed = (SCHEMAS_DIR / name).read_text(encoding="utf-8")
        assert committed == text, f"schemas/{name} is stale: run `hub schemas export`"


def test_sample_program_validates_and_a_bad_one_does_not() -> None:
    schema = json.loads((SCHEMAS_DIR / "program.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    good = {
        "title": "Threat teams",
        "topics": ["threat-assessment"],
        "free": True,
        "ratings": [{"tier": "tier-2", "source": "Clearinghouse"}],
    }
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors(good))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors({"topics": []}))
