"""Policy passes: each a function over the resolved Runs, applied in the order `pipeline` gives."""
