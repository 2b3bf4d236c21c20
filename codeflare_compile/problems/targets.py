"""What the chosen target cannot do or ignores: datasets backends, logging, queueing, Pod
Security, Kubernetes versions without schemas (CF210, CF406, CF440, CF460, CF461, CF502)."""

from __future__ import annotations

from codeflare_compile.codes import Code
from codeflare_compile.diagnostics import Diagnostic, Span


def datashim_mount_path(dataset: str, path: str, wanted: str, span: Span) -> Diagnostic:
    """Datashim mounts `dataset` at `path`; the input wants `wanted`."""
    return Diagnostic(Code.BACKEND_CANNOT, f"Datashim mounts DataSet '{dataset}' at {path}, "
                      f"not {wanted}", span, "remove mountPath, or use --datasets native")


def s3_native_mount(dataset: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.BACKEND_CANNOT, f"s3 DataSet '{dataset}' cannot be mounted natively",
                      span, "read it as environment (useAs: env), or use --datasets datashim")


def sidecars_need(version: object) -> Diagnostic:
    """Fluent Bit runs as a native sidecar, which Kubernetes `version` does not have."""
    return Diagnostic(Code.BACKEND_CANNOT, "logging 'fluentbit' needs native sidecars "
                      f"(Kubernetes 1.29 or newer), not {version}", None,
                      "target Kubernetes 1.29 or newer, or use logging: none")


def mcad_cannot_finish(kind: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.CANNOT_FINISH, f"MCAD would never see this {kind} finish: it "
                      "completes an AppWrapper only from a wrapped object's status conditions, "
                      f"and a {kind} has none", span, "queue it with --queueing kueue (Kueue "
                      "reads the RayJob's own status), appwrapper or none")


def queue_ignored(queue: str, mode: str, through_kueue: str, span: Span) -> Diagnostic:
    """`through_kueue`: the targets that queue through Kueue ("appwrapper or kueue")."""
    return Diagnostic(Code.IGNORED_SETTING, f"queue '{queue}' has no effect with queueing "
                      f"'{mode}'", span, f"use --queueing {through_kueue} to queue through Kueue")


def pod_security_opt_out(setting: str, span: Span) -> Diagnostic:
    """`setting`: what the securityContext asks for, quoted ("'runAsUser: 0' (root)")."""
    return Diagnostic(Code.POD_SECURITY_OPT_OUT, f"{setting} is not allowed at Pod Security "
                      "level 'restricted'", span, "remove it, or compile for a namespace at "
                      "level baseline (--pod-security baseline)")


def nfs_under_restricted(dataset: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.POD_SECURITY_VOLUME, f"the nfs DataSet '{dataset}' would be an nfs "
                      "volume, which Pod Security level 'restricted' does not allow", span,
                      "give the share as a PersistentVolumeClaim (pvc: {claimName: …}), or use "
                      "--datasets datashim, which mounts it through a claim")


def unsupported_kube_version(reason: str, span: Span) -> Diagnostic:
    """`reason`: which versions have schemas, as the validator says it."""
    return Diagnostic(Code.UNSUPPORTED_KUBE_VERSION, reason, span, "target one of the supported "
                      "versions, or override it with --kube-version")
