"""SBI feedback grading: spaCy cues feeding scikit-learn models, with evidence and tips."""
from mentorkit.feedback.grade import (FeedbackGrade, PartResult, Span, Tip, grade_feedback, grade_many,
                                      TextTooLongError, MAX_CHARS, POINTS)

__all__ = ["FeedbackGrade", "PartResult", "Span", "Tip", "grade_feedback", "grade_many",
           "TextTooLongError", "MAX_CHARS", "POINTS"]
