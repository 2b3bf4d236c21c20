"""Cross-cutting lowering over every archetype's output: gang scheduling, then queueing."""
