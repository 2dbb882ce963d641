"""Pure evaluation (no I/O, no clock: the caller passes the date): conditions and their operators,
the rule evaluation, the backends (python, durable) and the transformatieplan. Operators and question
types are each declared once, in a registry (operators.py, questiontypes.py)."""
