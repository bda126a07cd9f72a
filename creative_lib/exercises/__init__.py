"""Checked exercises: `from creative_lib.exercises import ex01 as ex; ex.q1.check(my_function)`."""
from creative_lib.exercises.core import Case, Question, summary

__all__ = ["Case", "Question", "summary"]
