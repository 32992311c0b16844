"""Which arguments force a new resource, read from the provider's Go source.

See tools/extract_force_new.py for the usage, docs/replacement.md for where the table
comes from and how it is used.
"""
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
