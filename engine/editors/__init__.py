"""The Kader editors' tools: lint, JSON Schemas, diff between versions and migration of assessments."""
