"""Reading and validating files into the model: the file formats (formats.py, each declared once),
the questions, the facts, the Kader (manifest and rules) and the assessments. Loading only loads:
the semantic checks (examples, norms) are the validate room."""
