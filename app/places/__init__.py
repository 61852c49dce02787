"""Où s'installer : the places within reach, ranked by what a doctor would get there."""
