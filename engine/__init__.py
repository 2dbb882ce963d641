"""kadertoets: checks local social teams against the Kader lokale teams regio Amersfoort.

In the repository this package is the folder `engine/`; installed, it is `kadertoets`. Its rooms follow
the pipeline, each a subpackage whose docstring says what happens there (a lower room never imports a
higher one; tests/test_architecture.py holds that):

    infra     machinery, not domain: strict YAML, located values, problems, safe text, atomic writes
    model     the domain model (Kader, rules, assessments, findings)
    evaluate  pure evaluation: conditions, operators, backends, the transformatieplan
    load      reading and validating files into the model
    validate  the semantic checks of a Kader (examples, norms) that commands call explicitly
    sweep     use cases over files: one team, the regional sweep, its cache, the trend
    editors   the Kader editors' tools: lint, JSON Schemas, diff, migrate
    render    output formats, in one registry
    cli       the `kader` command (cli.py in the repository)
"""

__version__ = "0.1.0"
