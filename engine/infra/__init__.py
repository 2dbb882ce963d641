"""Machinery that is not domain: strict YAML reading, located access to it, problems and lint codes, safe text, atomic writes, parallel work, Dutch click texts, where the bundled data lives."""
