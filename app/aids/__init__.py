"""Aids: dated rules of the 2016 contracts and the 2026 regime (issue 5)."""
