"""Reference resolution, images and priority: the passes before sizing."""

from __future__ import annotations

from codeflare_compile.ir import Overrides, RunPlan
from codeflare_compile.passes.priority import priority
from tests.build_inputs import app, plans, run

DIGEST = "sha256:" + "ab" * 32


def image(name: str, ref: str, extra: str = "") -> str:
    return (f"apiVersion: codeflare.dev/v1alpha1\nkind: Image\nmetadata: {{name: {name}}}\n"
            f"spec:\n  image: {ref}\n{extra}---\n")


def platform(spec: str) -> str:
    return f"apiVersion: codeflare.dev/v1alpha1\nkind: Platform\nmetadata: {{name: p}}\n" \
           f"spec: {spec}\n---\n"


def only_plan(text: str, overrides: Overrides | None = None) -> RunPlan:
    _, resolved, diags = plans(text, overrides)
    assert not diags.has_errors
    (plan,) = resolved
    return plan


def test_digest_replaces_the_tag() -> None:
    text = image("img", "quay.io/org/ray:2.52.0", f"  digest: {DIGEST}\n") + \
        app(extra="").replace("image: img:1", "image: {name: img}") + run()
    assert only_plan(text).image == f"quay.io/org/ray@{DIGEST}"


def test_registry_port_is_not_mistaken_for_a_tag() -> None:
    text = image("img", "registry:5000/ray", f"  digest: {DIGEST}\n") + \
        app().replace("image: img:1", "image: {name: img}") + run()
    assert only_plan(text).image == f"registry:5000/ray@{DIGEST}"


def test_pull_secrets_from_image_then_platform_without_repeats() -> None:
    text = platform("{imagePullSecrets: [shared, quay]}") + \
        image("img", "quay.io/x", "  pullSecrets: [quay]\n") + \
        app().replace("image: img:1", "image: {name: img}") + run()
    assert only_plan(text).image_pull_secrets == ("quay", "shared")


def test_options_replace_and_env_merges() -> None:
    text = app(extra="  options: --a\n  env: {A: '1', B: '2'}\n") + \
        run(extra="  options: --b\n  env: {B: '3'}\n")
    plan = only_plan(text)
    assert (plan.entrypoint, plan.env) == ("python3 main.py --b", {"A": "1", "B": "3"})


def test_application_in_another_namespace_by_reference() -> None:
    text = app(namespace="shared") + \
        run(extra="").replace("application: app", "application: {name: app, namespace: shared}")
    plan = only_plan(text)
    assert (plan.namespace, plan.app.namespace) == ("default", "shared")


def test_namespace_flag_beats_the_platform_default() -> None:
    text = platform("{defaultNamespace: team}") + app() + run()
    assert only_plan(text).namespace == "team"
    assert only_plan(text, Overrides(namespace="flag")).namespace == "flag"


def test_priority_maps_through_the_platform() -> None:
    text = platform("{priorityClasses: {high: urgent}}") + app() + run(extra="  priority: high\n")
    prog, resolved, diags = plans(text)
    (plan,) = priority(resolved, prog, diags)
    assert plan.priority_class == "urgent"
