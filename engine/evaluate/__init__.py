"""Pure evaluation (no I/O, no clock: the caller passes the date): conditions and their operators, the rule evaluation, the backends (python, durable) and the transformatieplan."""
