"""Property-based tests: generated resource sets, valid and invalid (issue 8)."""
