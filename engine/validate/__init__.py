"""The semantic checks of a loaded Kader that the commands call explicitly: the rules' examples (selftest) and whether each norm can be reached (normcheck)."""
