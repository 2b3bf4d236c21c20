"""`appwrapper`: one AppWrapper (workload.codeflare.dev/v1beta2) holding every object of the Run,
its podSets declared exactly as the AppWrapper controller infers them, admitted by Kueue
(docs/targets.md §1.1 and §4)."""

from __future__ import annotations

from codeflare_compile.backends.declare import ONE_OBJECT_TASK_BUDGET, QueueingTarget, Wrapper

#: Why Ray is not wrapped under `appwrapper` but queued by Kueue directly: the AppWrapper
#: succeeds only when its pods have (appwrapper `internal/controller/appwrapper/
#: appwrapper_controller.go`, Reconcile, "Handle Success"; its RayJob status check is commented
#: out in getComponentStatus), and KubeRay deletes a RayJob's cluster when the job ends
#: (`shutdownAfterJobFinishes`, which Kueue requires), so the pods vanish instead of succeeding and
#: the AppWrapper resets, re-running the job. Kueue's RayJob integration reads the RayJob's own
#: status (kueue `pkg/controller/jobs/rayjob/rayjob_controller.go`, Finished).
KUEUE_DIRECT = {"ray": "the RayJob is queued by Kueue directly: an AppWrapper would never see "
                       "it succeed"}

#: The prefix of the AppWrapper's fault-tolerance annotations (appwrapper
#: `api/v1beta2/appwrapper_types.go`: RetryLimitAnnotation,
#: FailureGracePeriodDurationAnnotation, …).
FAULT_TOLERANCE = "workload.codeflare.dev.appwrapper"
#: Its webhook admits an AppWrapper only if a SubjectAccessReview says the creator may `create`
#: every component's kind (project-codeflare/appwrapper internal/webhook/appwrapper_webhook.go,
#: validateAppWrapperCreate; `userRBACAdmissionCheck` is on by default, pkg/config/config.go).
WRAPPER = Wrapper("workload.codeflare.dev/v1beta2", "AppWrapper", ("spec", "components"),
                  "template", conditions=("status.phase == Succeeded", "status.phase == Failed"),
                  checks_creator=True)

BACKEND = QueueingTarget(
    name="appwrapper",
    api=WRAPPER.api_version,
    detect_rank=0,
    wrapper=WRAPPER,
    kueue_direct=KUEUE_DIRECT,
    task_budget=ONE_OBJECT_TASK_BUDGET,
    through_kueue=True,
)
