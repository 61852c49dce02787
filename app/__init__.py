"""zonage: installation-zone advisor for general practitioners in France."""

__version__ = "0.1.0"
