"""Use cases over files: one team (run) and the regional sweep (discovery, cache, parallel work, trend)."""
