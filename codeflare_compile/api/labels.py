"""Which label and annotation keys are the user's, and which belong to a controller.

User labels and annotations go on every emitted object (labels on every pod template too). A key
under a prefix that a controller reads or owns would act behind the compiler's back: a Run label
`kueue.x-k8s.io/priority-class` picks a Kueue priority past the Platform's priority mapping, a
`scheduling.x-k8s.io/pod-group` joins another gang. Such keys are refused, each with the setting
that does the job instead. The `app.kubernetes.io/` labels Kubernetes recommends stay the user's
(`part-of`, `version`, …), except the ones the compiler sets itself.

Sources: Kubernetes reserves the `kubernetes.io/` and `k8s.io/` prefixes, subdomains included,
for its own components ("Labels and Selectors", Syntax and character set). Of the controllers:
kubernetes-sigs/kueue `pkg/controller/constants` (`QueueLabel` `kueue.x-k8s.io/queue-name`,
`WorkloadPriorityClassLabel` `kueue.x-k8s.io/priority-class`), kubernetes-sigs/scheduler-plugins
`apis/scheduling/v1alpha1/types.go` (`PodGroupLabel` `scheduling.x-k8s.io/pod-group`); the
AppWrapper (`workload.codeflare.dev/`), MCAD (`mcad.ibm.com/`), KubeRay (`ray.io/`), the training
operator (`kubeflow.org/`), Argo CD and Argo Workflows (`argocd.argoproj.io/`,
`workflows.argoproj.io/`) and Datashim (`dataset.<n>.id` pod labels) keep their labels and
annotations under their own prefixes.
"""

from __future__ import annotations

#: The `app.kubernetes.io/` labels the compiler writes on every object (lower/pods.py).
COMPILER_APP_LABELS = frozenset({"app.kubernetes.io/name", "app.kubernetes.io/instance",
                                 "app.kubernetes.io/managed-by", "app.kubernetes.io/component"})

#: Key prefix (the DNS part before `/`, its subdomains included) → who owns it, what to set.
RESERVED_PREFIXES: dict[str, tuple[str, str]] = {
    "kueue.x-k8s.io": ("Kueue reads", "set the Run's `queue`, and its `priority` (the "
                       "Platform's `priorityClasses` map it)"),
    "scheduling.x-k8s.io": ("the coscheduling plugin reads", "choose gang scheduling with "
                            "`--gang` (the Platform's `gang`)"),
    "workload.codeflare.dev": ("the AppWrapper controller reads", "choose the wrapper with "
                               "`--queueing` (the Platform's `queueing`)"),
    "mcad.ibm.com": ("MCAD reads", "choose MCAD with `--queueing mcad`"),
    "ray.io": ("KubeRay reads", "use the `ray` archetype; its operator sets these"),
    "kubeflow.org": ("the training operator reads", "choose `--torch-backend` (the Platform's "
                     "`torchBackend`)"),
    "codeflare.dev": ("codeflare-compile writes", "the compiler sets these from the Run, the "
                      "Application and the size"),
    "argocd.argoproj.io": ("Argo CD reads", "Argo CD's settings belong on its Application, not "
                           "on the compiled objects"),
    "workflows.argoproj.io": ("Argo Workflows reads", "use the `workflow` archetype; its "
                              "settings come from the Run"),
    "kubernetes.io": ("Kubernetes reserves", "use a prefix of your own (`example.com/team`) "
                      "or an `app.kubernetes.io/` label"),
    "k8s.io": ("Kubernetes reserves", "use a prefix of your own (`example.com/team`)"),
}
#: Annotations the orchestrators (kustomize, kpt) add for their own bookkeeping, such as a KRM
#: function's `config.kubernetes.io/function`: theirs to write, so not refused (krm.py drops
#: them before compiling a ResourceList).
TOOL_ANNOTATION_PREFIXES = ("config.kubernetes.io/", "internal.config.kubernetes.io/",
                            "config.k8s.io/", "kustomize.config.k8s.io/")
#: Keys under a reserved prefix that the user sets on purpose: `codeflare.dev/rerun` asks for
#: new object names (lower/names.py, RERUN_ANNOTATION).
USER_KEYS = frozenset({"codeflare.dev/rerun"})
#: Datashim's pod labels (`dataset.0.id`, `dataset.0.useas`) mount datasets.
DATASHIM_PREFIX = "dataset."
DATASHIM_INSTEAD = "name the dataset in `inputs`"


def reserved(key: str) -> tuple[str, str] | None:
    """For a key the user may not set: why (whose it is) and what to set instead; None for a
    key that is the user's."""
    domain, slash, _ = key.rpartition("/")
    if not slash:
        if key.startswith(DATASHIM_PREFIX):
            return f"is under '{DATASHIM_PREFIX}', which Datashim reads", DATASHIM_INSTEAD
        return None
    if key in COMPILER_APP_LABELS:
        return "is a label codeflare-compile sets itself", "the compiler sets it from the Run"
    if (domain == "app.kubernetes.io" or key in USER_KEYS
            or key.startswith(TOOL_ANNOTATION_PREFIXES)):
        return None
    for prefix, (owner, instead) in RESERVED_PREFIXES.items():
        if domain == prefix or domain.endswith("." + prefix):
            return f"is under '{prefix}/', which {owner}", instead
    return None
