"""Reading and validating files: the questions, the Kader (manifest and rules) and the assessments, into the model. Loading only loads: the semantic checks (examples, norms) are the validate room."""
