"""Orderflow's domain core. Never imports streamlit (tests/test_architecture.py keeps it so)."""
