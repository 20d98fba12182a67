"""Program data: one data model, a validating loader, and a realistic simulator.

>>> from mentorkit.program import load, simulate, ProgramData, ValidationReport, Problem
"""
from mentorkit.program.data import Problem, ProgramData, ProgramDataError, ValidationReport
from mentorkit.program.loader import load, read_mapping, validate
from mentorkit.program.schema import TABLE_ORDER, TABLES, schema_for
from mentorkit.program.simulate import simulate

__all__ = ["load", "validate", "simulate", "read_mapping", "ProgramData", "ValidationReport", "Problem",
           "ProgramDataError", "TABLES", "TABLE_ORDER", "schema_for"]
