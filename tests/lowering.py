"""One Run from inline YAML lowered through the compiler's own passes, for tests of a lowering
and of the cross-cutting passes on its output: the policy passes of `pipeline.POLICY_PASSES`,
the archetype's lowering, then `pipeline.TARGET_PASSES` in their order, as far as a test asks."""

from __future__ import annotations

from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import Lowered, Overrides, Program, RunPlan
from codeflare_compile.lower import LOWERINGS
from codeflare_compile.pipeline import POLICY_PASSES, TARGET_PASSES
from tests.build_inputs import plans

#: The cross-cutting passes by name, in order.
PASSES = [name for name, _ in TARGET_PASSES]


def planned(text: str, overrides: Overrides | None = None) -> tuple[RunPlan, Program]:
    """The only Run of `text` after resolution and every policy pass, which must not fail."""
    prog, resolved, diags = plans(text, overrides)
    for policy in POLICY_PASSES:
        resolved = policy(resolved, prog, diags)
    assert not diags.has_errors, diags.items
    (plan,) = resolved
    return plan, prog


def lower_plan(plan: RunPlan, prog: Program, through: str | None = None,
               diags: Diagnostics | None = None) -> Lowered:
    """`plan` lowered by its archetype, then through the cross-cutting passes up to `through`
    (a name in `PASSES`; None: none of them). Their diagnostics go to `diags`; without it,
    none may be an error."""
    report = Diagnostics() if diags is None else diags
    lowered = LOWERINGS[plan.archetype](plan, prog.target)
    for _, apply in TARGET_PASSES[:PASSES.index(through) + 1 if through else 0]:
        lowered = apply(lowered, prog.target, report)
    assert diags is not None or not report.has_errors, report.items
    return lowered


def lowered(text: str, overrides: Overrides | None = None, through: str | None = None,
            diags: Diagnostics | None = None) -> Lowered:
    """The only Run of `text`, planned and lowered (see `lower_plan`)."""
    plan, prog = planned(text, overrides)
    return lower_plan(plan, prog, through, diags)
