"""The web front (``hocvuso web``): certificate checks and the organisers' dashboard."""
