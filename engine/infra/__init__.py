"""Machinery that is not domain: strict YAML reading and writing, values with their place in a file,
problems and lint codes, safe text, atomic writes, a checksummed store, parallel work, the option
names and Dutch texts of the command line, and where the bundled data lives."""
