"""The safe reader for scenario files: size and alias bounds, tabs, duplicate keys, tags, lines of fields."""
from __future__ import annotations

import time

import pytest
import yaml

from mentorkit.scenarios import DATA_DIR
from mentorkit.scenarios.yamlsafe import MAX_BYTES, MAX_NODES, UnreadableFile, read_yaml, read_yaml_text


def _laughs(levels: int, width: int = 9) -> str:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_files_read_exactly_as_pyyaml_reads_them(path):
    assert read_yaml(path).data == yaml.safe_load(path.read_text(encoding="utf-8"))
    assert read_yaml(path).problems == []


def test_billion_laughs_is_refused_quickly_with_a_message():
    t0 = time.perf_counter()
    with pytest.raises(UnreadableFile) as err:
        read_yaml_text(_laughs(9), "lol.yaml")
    assert time.perf_counter() - t0 < 5
    assert f"expands to more than {MAX_NODES:,} values" in str(err.value)
    assert str(err.value).startswith("lol.yaml:")


def test_a_few_aliases_within_the_bound_are_fine():
    doc = read_yaml_text(_laughs(3), "small.yaml")
    assert len(doc.data["l2"]) == 9 and doc.data["l2"][0][0] == ["lol"] * 9


def test_file_over_one_megabyte_is_refused_before_parsing(tmp_path):
    f = tmp_path / "big.yaml"
    f.write_text("summary: " + "x" * (MAX_BYTES + 10) + "\n")
    with pytest.raises(UnreadableFile) as err:
        read_yaml(f)
    assert f"{f}:1: (file):" in str(err.value) and "at most 1,000,000 bytes" in str(err.value)


def test_tab_indentation_names_every_line():
    with pytest.raises(UnreadableFile) as err:
        read_yaml_text("name: x\npersona:\n\tname: A\n\trole: B\n", "tabs.yaml")
    lines = [p.line for p in err.value.problems]
    assert lines == [3, 4]
    assert "tab" in err.value.problems[0].message


def test_duplicate_keys_name_both_lines_and_keep_reading():
    doc = read_yaml_text("name: a\ntitle: T\npersona:\n  name: P\n  name: Q\nname: b\n", "dup.yaml")
    msgs = sorted(str(p) for p in doc.problems)
    assert msgs == ["dup.yaml:5: persona.name: duplicate key 'name'; it is first given on line 4",
                    "dup.yaml:6: name: duplicate key 'name'; it is first given on line 1"]
    assert doc.data["name"] == "a"


@pytest.mark.parametrize("text", [
    "name: !!python/object/apply:os.system ['touch /tmp/mentorkit-pwned']\n",
    "name: !!python/name:os.system\n",
    "name: !custom thing\n",
])
def test_tags_are_refused_and_nothing_is_executed(tmp_path, text):
    doc = read_yaml_text(text, "tag.yaml")
    assert doc.data == {"name": None}
    assert len(doc.problems) == 1 and "is not allowed in a scenario file" in doc.problems[0].message


def test_merge_keys_and_second_documents_are_named():
    doc = read_yaml_text("base: &b {trust: 0.1}\nstate:\n  <<: *b\n", "merge.yaml")
    assert [(p.line, p.field) for p in doc.problems] == [(3, "state")]
    with pytest.raises(UnreadableFile) as err:
        read_yaml_text("name: a\n---\nname: b\n", "two.yaml")
    assert err.value.problems[0].line == 3 and "more than one YAML document" in err.value.problems[0].message


def test_syntax_error_names_the_line():
    with pytest.raises(UnreadableFile) as err:
        read_yaml_text("name: x\ntitle: [unclosed\nfamily: y\n", "syntax.yaml")
    p = err.value.problems[0]
    assert p.field == "(syntax)" and p.line >= 2 and "not valid YAML" in p.message


def test_marks_give_the_line_of_nested_fields_and_of_the_parent_when_missing():
    text = (DATA_DIR / "written_recap.yaml").read_text(encoding="utf-8")
    doc = read_yaml_text(text, "w.yaml")
    lines = text.splitlines()
    line = doc.marks.line(("turns", 1, "focus"))
    assert lines[line - 1].strip().startswith(("- focus:", "focus:"))
    assert doc.marks.line(("rubric", "criteria", 0, "no_such_field")) == doc.marks.line(("rubric", "criteria", 0))
