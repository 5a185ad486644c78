"""Helpers of the draft parser (``coach.parser``): labels, annotations, tables, structured input.

Kept apart from ``coach/parser.py`` so the module that decides the document's
structure stays readable; nothing here knows about objectives as a whole.
"""
