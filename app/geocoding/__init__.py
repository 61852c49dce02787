"""Geocoding: from a typed address to a point and its commune, offline first."""
