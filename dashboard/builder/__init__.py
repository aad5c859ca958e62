"""The workflow builder's UI: state, canvas, node editors, lifecycle bar and side panels.

Pages import from here; these modules call ``core.builder`` for every rule and never touch SQL.
"""
