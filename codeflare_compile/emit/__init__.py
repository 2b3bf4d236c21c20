"""Emission: stable ordering and the YAML/JSON writers."""
