"""The front end's passes over the built `Program`: the target (`platform`), resolving each
Run's references (`resolve`), and the policy passes in the order `pipeline.POLICY_PASSES` gives."""
