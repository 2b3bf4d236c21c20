-- Argo CD health of an AppWrapper. Runs under gopher-lua (Lua 5.1) with only the base and table
-- libraries (argo-cd util/lua/lua.go, runLuaWithResourceActionParameters): no string or math.
-- workload.codeflare.dev/v1beta2 reports status.phase and conditions (project-codeflare/appwrapper
-- api/v1beta2/appwrapper_types.go: AppWrapperPhase, AppWrapperCondition); MCAD's AppWrapper
-- (mcad.ibm.com/v1beta1, and workload.codeflare.dev/v1beta1) reports status.state
-- (multi-cluster-app-dispatcher pkg/apis/controller/v1beta1/appwrapper.go: AppWrapperState).
local hs = {}
local status = obj.status

-- the condition of this type whose status is `wanted`, if there is one
local function condition(kind, wanted)
  if status ~= nil and status.conditions ~= nil then
    for _, c in ipairs(status.conditions) do
      if c.type == kind and c.status == wanted then
        return c
      end
    end
  end
  return nil
end

-- `text`, then the condition's (or any non-empty) message after a colon
local function said(text, detail)
  if type(detail) == "table" then
    detail = detail.message
  end
  if detail ~= nil and detail ~= "" then
    return text .. ": " .. detail
  end
  return text
end

local function result(health, message)
  hs.status = health
  hs.message = message
  return hs
end

if status == nil then
  return result("Progressing", "Waiting for the AppWrapper controller")
end

local phase = status.phase
if phase ~= nil and phase ~= "" then
  if phase == "Succeeded" then
    return result("Healthy", "The AppWrapper succeeded")
  elseif phase == "Failed" then
    return result("Degraded", said("The AppWrapper failed", condition("Unhealthy", "True")))
  elseif phase == "Suspended" then
    return result("Suspended", "Queued: waiting for Kueue to admit it")
  elseif phase == "Resuming" then
    return result("Progressing", "Admitted: creating its resources")
  elseif phase == "Running" then
    -- the controller writes pod counts into PodsReady while it runs (SufficientPodsReady or
    -- InsufficientPodsReady)
    local pods = condition("PodsReady", "True") or condition("PodsReady", "False")
    if pods ~= nil and pods.reason == "Resuming" then
      pods = nil
    end
    return result("Progressing", said("Running", pods))
  elseif phase == "Resetting" then
    local retries = status.resettingCount or 0
    return result("Progressing", said("Resetting for retry " .. tostring(retries),
      condition("Unhealthy", "True")))
  elseif phase == "Suspending" then
    return result("Progressing", "Suspending: its resources are being deleted")
  elseif phase == "Terminating" then
    return result("Progressing", "Terminating: its resources are being deleted")
  end
  return result("Unknown", "Unknown phase " .. phase)
end

local state = status.state
if state == nil or state == "" then
  return result("Progressing", "Waiting for the dispatcher")
elseif state == "Completed" then
  return result("Healthy", "The AppWrapper completed")
elseif state == "Failed" then
  return result("Degraded", said("The AppWrapper failed", status.message))
elseif state == "Deleted" then
  return result("Degraded", "Requeued the most times allowed: its resources were deleted")
elseif state == "Pending" then
  local queue = status.queuejobstate
  if queue ~= nil and queue ~= "" then
    return result("Suspended", "Queued: waiting to be dispatched (" .. queue .. ")")
  end
  return result("Suspended", "Queued: waiting to be dispatched")
elseif state == "Running" or state == "RunningHoldCompletion" then
  return result("Progressing", "Running")
end
return result("Unknown", "Unknown state " .. state)
