"""The visual builder's domain side: definition <-> canvas, edit operations on steps and
condition trees, readable descriptions and diffs, simulation on one order, the workflows table.

Nothing here imports streamlit; the builder pages and ``dashboard/builder/`` call
these functions and only draw.
"""
