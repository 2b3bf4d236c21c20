"""Cross-cutting passes: each takes one Run's `Lowered` objects, whatever the archetype, and
adds what a target setting asks for (the workspace, dataset mounts, the log sidecar, pod
security, gang scheduling, queueing, sync waves). Their order is
`pipeline.TARGET_PASSES`; sync waves come last, once per Run (a workflow's steps embedded)."""
