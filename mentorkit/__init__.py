"""mentorkit: research and coaching-skills training for mentoring programs.

The heavy parts (spaCy, scikit-learn) load on first use, so ``import mentorkit``
stays quick.
"""
__version__ = "0.1.0"
__all__ = ["grade_feedback", "grade_many", "__version__"]


def __getattr__(name):
    if name in ("grade_feedback", "grade_many"):
        from mentorkit.feedback import grade
        return getattr(grade, name)
    raise AttributeError(f"module 'mentorkit' has no attribute {name!r}")
