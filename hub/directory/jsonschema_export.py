"""JSON Schemas of the directory's records (program, practice, contact), written into schemas/."""

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hub.directory.schemas import ContactInput, DistrictRecord, PracticeInput, ProgramInput
from hub.federation.schemas import ChangeEnvelope

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://schemas.school-safety-hub.org/"
MODELS: dict[str, type[BaseModel]] = {
    "program.schema.json": ProgramInput,
    "practice.schema.json": PracticeInput,
    "contact.schema.json": ContactInput,
    "district.schema.json": DistrictRecord,
    "change.schema.json": ChangeEnvelope,
}


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema written as `name`, with `$schema` and `$id`."""
    body = MODELS[name].model_json_schema()
    return {"$schema": DIALECT, "$id": BASE_ID + name, **body}


def render() -> dict[str, str]:
    """File name -> file text: sorted keys and a trailing newline, so output is stable."""
    return {name: json.dumps(schema(name), indent=2, sort_keys=True) + "\n" for name in MODELS}


def export(directory: Path) -> list[Path]:
    """Write every schema into `directory`; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
