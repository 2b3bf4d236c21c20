"""The catalogue of diagnostic codes: each declared once, with everything known about it.

A code's rule name and summary feed the SARIF rules, its severity is the severity of every
diagnostic it names, and `redacts_value` marks codes whose span is a key holding a credential:
the excerpt hides the value after it. docs/errors.md documents every code (a test holds it to
this table). Codes are stable: never renumber; retire a code by leaving it unused, and never
reuse a number for another problem.
"""

from __future__ import annotations

from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class Code(str, Enum):
    """A stable code ("CF301"), compared and serialised as its string."""

    _value_: str
    rule: str
    summary: str
    severity: Severity
    redacts_value: bool

    def __new__(cls, value: str, rule: str, summary: str,
                severity: Severity = Severity.ERROR, redacts_value: bool = False) -> Code:
        """Members are written `(value, rule, summary[, severity[, redacts_value]])`."""
        member = str.__new__(cls, value)
        member._value_ = value
        member.rule = rule
        member.summary = summary
        member.severity = severity
        member.redacts_value = redacts_value
        return member

    # loading
    YAML_SYNTAX = ("CF101", "yaml-syntax", "YAML syntax error, a file that is not UTF-8, or a "
                   "control character YAML does not allow")
    DUPLICATE_KEY = ("CF102", "duplicate-key", "A mapping key appears twice (YAML would "
                     "silently keep the last)")
    NOT_A_MAPPING = ("CF103", "not-a-mapping", "A document is not a mapping, or a mapping key "
                     "is not a plain string")
    UNKNOWN_KIND = ("CF104", "unknown-kind", "Unknown apiVersion or kind: only "
                    "codeflare.dev/v1alpha1 kinds are accepted")
    ALIAS_LIMIT = ("CF105", "alias-limit", "A document expands to more than 100,000 values "
                   "through YAML aliases")
    NESTING_LIMIT = ("CF107", "nesting-limit", "A document nested more than 100 levels deep")
    FILE_TOO_LARGE = ("CF108", "file-too-large", "An input file over 8 MiB")
    # shape of a resource
    UNKNOWN_FIELD = ("CF201", "unknown-field", "Unknown field")
    MISSING_FIELD = ("CF202", "missing-field", "Missing required field")
    INVALID_VALUE = ("CF203", "invalid-value", "Invalid value: wrong type, not an allowed "
                     "value, out of range, wrong pattern, or a field that does not fit the "
                     "archetype")
    INVALID_NAME = ("CF204", "invalid-name", "A name or reference that is not a DNS-1123 label")
    INVALID_QUANTITY = ("CF205", "invalid-quantity", "Not a Kubernetes quantity")
    WRONG_SCOPE = ("CF206", "wrong-scope", "metadata.namespace on a cluster-scoped kind")
    INLINE_CREDENTIALS = ("CF207", "inline-credentials", "Credentials written inline: in a "
                          "DataSet, or in a URL", Severity.ERROR, True)  # the value after the key
    RESERVED_LABEL = ("CF208", "reserved-label", "A label or annotation under a prefix a "
                      "controller reads or the compiler sets")
    UNSUPPORTED_KUBE_VERSION = ("CF210", "unsupported-kube-version", "A Platform's "
                                "kubernetesVersion the bundled schemas cannot validate for")
    IMPOSSIBLE_QUANTITY = ("CF215", "impossible-quantity", "A size's cpu of zero, or memory "
                           "under 1Mi (a number without a unit counts bytes)")
    USES_INVALID = ("CF216", "uses-invalid", "A reference to a resource that is itself invalid")
    # references between resources
    UNKNOWN_REFERENCE = ("CF301", "unknown-reference", "A reference to something that does "
                         "not exist")
    DUPLICATE_RESOURCE = ("CF302", "duplicate-resource", "The same kind, namespace and name "
                          "defined twice")
    SECOND_PLATFORM = ("CF303", "second-platform", "A second Platform")
    OBJECT_COLLISION = ("CF304", "object-collision", "Two inputs that emit an object with the "
                        "same apiVersion, kind, namespace and name")
    NO_PRIORITY_CLASS = ("CF305", "no-priority-class", "A priority level the Platform maps to "
                         "no PriorityClass")
    # policy passes
    SIZE_NOT_CONFIGURED = ("CF401", "size-not-configured", "The size is missing from the "
                           "RunSizeConfiguration that applies")
    AMBIGUOUS_SIZE_POLICY = ("CF402", "ambiguous-size-policy", "Two applicable "
                             "RunSizeConfigurations share the lowest priority")
    NO_VARIANT_FOR_SIZE = ("CF403", "no-variant-for-size", "An input with sizes has no DataSet "
                           "for the Run's size")
    MOUNT_PATH_CLASH = ("CF404", "mount-path-clash", "Two inputs mounted at the same path")
    NO_ENV_NAME = ("CF405", "no-env-name", "A DataSet read as environment whose name cannot "
                   "prefix variable names")
    BACKEND_CANNOT = ("CF406", "backend-cannot", "What the target cannot do (datasets backend, "
                      "Kubernetes version)")
    BAD_REPO = ("CF407", "bad-repo", "A repo that is not "
                "https://host/org/repo[/tree/<branch>/<subdir>]")
    BAD_CODE_FILE = ("CF408", "bad-code-file", "A code file name that is absolute, leaves the "
                     "working directory, or repeats")
    ENV_NEEDS_S3 = ("CF409", "env-needs-s3", "A DataSet read as environment that is not s3")
    # workqueue tasks (CF410 to CF419)
    NO_TASKS = ("CF410", "no-tasks", "A workqueue Run without tasks")
    BAD_SWEEP = ("CF411", "bad-sweep", "A task sweep with a step of 0 or less, max below min, "
                 "or a number that is not finite")
    TOO_MANY_TASKS = ("CF412", "too-many-tasks", "More tasks, or larger ones, than the cluster "
                      "can carry")
    # workflows
    DUPLICATE_STEP = ("CF420", "duplicate-step", "Two workflow steps with the same name")
    NESTED_WORKFLOW = ("CF421", "nested-workflow", "A workflow step that runs another workflow")
    UNKNOWN_STEP = ("CF422", "unknown-step", "dependsOn names a step the workflow does not have")
    STEP_CYCLE = ("CF423", "step-cycle", "Workflow steps that depend on each other in a cycle")
    # what the output must be for its readers (CF430 to CF439)
    COMMAND_LINE_SPLIT = ("CF430", "command-line-split", "A command or options text whose end "
                          "would swallow or split what the compiler appends to it")
    OVER_SIZE_LIMIT = ("CF431", "over-size-limit", "An emitted object, ConfigMap or set of "
                       "annotations over a Kubernetes size limit")
    # queueing targets (CF440 to CF444)
    CANNOT_FINISH = ("CF440", "cannot-finish", "A workload the queueing target would never "
                     "see finish")
    # pod security (CF460 to CF469)
    POD_SECURITY_OPT_OUT = ("CF460", "pod-security-opt-out", "An Application's securityContext "
                            "asks for what the Pod Security level forbids")
    POD_SECURITY_VOLUME = ("CF461", "pod-security-volume", "A volume type the Pod Security "
                           "level forbids (a native nfs DataSet under restricted)")
    # lowering
    IGNORED_SETTING = ("CF502", "ignored-setting", "A setting that has no effect with the "
                       "chosen target", Severity.WARNING)
    UNPINNED_IMAGE = ("CF503", "unpinned-image", "An image tagged latest or without a tag",
                      Severity.WARNING)
    GPU_REFUSED = ("CF510", "gpu-refused", "A Run asks for GPUs that its Application or its "
                   "size does not give", Severity.WARNING)
    NO_EFFECT_ON_WORKFLOW = ("CF511", "no-effect-on-workflow", "A field of a workflow Run that "
                             "no step uses", Severity.WARNING)
    POD_SETTING_ON_WORKFLOW = ("CF512", "pod-setting-on-workflow", "A pod setting on a "
                               "workflow Application, which has no pods of its own")
    # output
    EMPTY_OUTPUT = ("CF601", "empty-output", "The output would be empty")
