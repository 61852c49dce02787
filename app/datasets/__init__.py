"""Real open datasets: the manifest, verified fetching and atomic snapshot loads."""
