"""The semantic checks of a loaded Kader that the commands call explicitly (semantic.py): the rules'
examples (selftest.py) and whether each norm can be reached (normcheck.py)."""
