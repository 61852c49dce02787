"""The French simulator page served at / (issue 7)."""
