"""kadertoets engine: loading, compiling and evaluating the Kader lokale teams regio Amersfoort.

The package is layered: `yamlload` reads files, `questions`/`conditions`/`kader`/`assessment`
turn them into a validated model, `evaluate` is pure (no I/O, no clock), `plan` merges a team's
transformatieplan with the findings, and `render` turns results into text, JSON, Markdown, CSV.
"""

__version__ = "0.1.0"
