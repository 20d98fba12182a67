"""Retrain the skill detectors from ``datasets/`` and save them: one call for all of them.

Each trainable skill (``model.TRAINED_SKILLS``) has a module with a ``train(root)`` that fits
its pipeline on the fixed training split; :func:`train_all` runs the chosen ones, scores each
on the fixed test split, writes the models (skops) and returns the bundles and that report.
``mentorkit train-skills`` (and ``make train-skills``) call it.
"""
from __future__ import annotations

import importlib
from pathlib import Path

import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.skills import model as model_store

__all__ = ["train_all"]


def train_all(skills: list[str] | None = None, root=None, out_dir: str | Path | None = None,
              progress: bool = True) -> tuple[dict[str, dict], pd.DataFrame]:
    """Retrain the chosen detectors (default: all) from ``datasets/``, save them to *out_dir*
    (default: the packaged models), and return the bundles and their test-split report.

    >>> train_all(["active_listenin"])
    Traceback (most recent call last):
    ...
    mentorkit.errors.MentorkitError: unknown skill(s) active_listenin; trainable: ...
    """
    from mentorkit.skills import evaluate

    chosen = skills or list(model_store.TRAINED_SKILLS)
    unknown = sorted(set(chosen) - set(model_store.TRAINED_SKILLS))
    if unknown:
        raise MentorkitError(f"unknown skill(s) {', '.join(unknown)}; trainable: {', '.join(model_store.TRAINED_SKILLS)}")
    bundles: dict[str, dict] = {}
    frames = []
    for skill in chosen:
        module = importlib.import_module(model_store.TRAINED_SKILLS[skill])
        bundle = module.train(root, progress=progress)
        if skill == "active_listening":
            rep = evaluate.listening_report("test", root, bundle)
        else:
            rep = evaluate.skill_report(skill, "test", root, bundle)
        bundle["meta"]["test_f1_macro"] = round(float(rep[rep.component == "macro"].f1.iloc[0]), 4)
        model_store.save(bundle, model_store.model_path(skill, out_dir))
        bundles[skill] = bundle
        frames.append(rep)
    model_store.clear_cache()
    return bundles, pd.concat(frames, ignore_index=True)
