"""Zones: communes, accessibility (APL), published and estimated zone classes."""
