"""One constructor per kind of diagnostic: the facts in (names, spans, candidates), the wording
out. Call sites say `diags.add(duplicate_key(key, span, first))`, and a message is changed in
one place. Modules follow the stages: loading, resources, references, policies, tasks,
workflows, targets and output.
"""
