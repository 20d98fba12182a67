"""The authoring guide: its example plays as the check wants, and it describes every field of the schema."""
from __future__ import annotations

import re
from pathlib import Path

from mentorkit.scenarios.check import check_source
from mentorkit.scenarios.model import json_schema
from mentorkit.scenarios.template import template_text

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "scenario_authoring.md"


def _example() -> str:
    return re.search(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S).group(1)


def test_the_guides_example_is_the_template_and_passes_the_check():
    example = _example()
    assert example == template_text("after_planning", "hard_conversations", ["sbi", "active_listening"],
                                    schema="../mentorkit/scenarios/scenario.schema.json")
    report = check_source(example, "after_planning.yaml")
    # clean; the one warning: no one else has written sample sets for it yet
    assert report.exit_code == 0 and [p.field for p in report.warnings] == ["(samples)"], report.lines()


def _fields(node: dict, defs: dict, seen: set[str]) -> set[str]:
    out: set[str] = set()
    for name, sub in (node.get("properties") or {}).items():
        out.add(name)
        for ref in re.findall(r'"\$ref": "#/\$defs/(\w+)"', str(sub).replace("'", '"')):
            if ref not in seen:
                seen.add(ref)
                out |= _fields(defs[ref], defs, seen)
    return out


def test_the_guide_names_every_field_of_the_schema():
    schema = json_schema()
    fields = _fields(schema, schema["$defs"], set())
    assert {"feedback_preference", "look_for", "good_at", "words_min", "partly_resolved", "strong"} <= fields
    text = GUIDE.read_text(encoding="utf-8").split("## A fully commented example")[0]
    missing = sorted(f for f in fields if not re.search(rf"`[^`]*\b{re.escape(f)}\b[^`]*`", text))
    assert missing == []
