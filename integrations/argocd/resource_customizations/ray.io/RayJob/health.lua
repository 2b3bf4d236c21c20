-- Argo CD health of a RayJob. Runs under gopher-lua (Lua 5.1) with only the base and table
-- libraries (argo-cd util/lua/lua.go, runLuaWithResourceActionParameters): no string or math.
-- Status fields and values: ray-project/kuberay ray-operator/apis/ray/v1/rayjob_types.go
-- (RayJobStatus; JobDeploymentStatus, the operator's; JobStatus, Ray's own).
local hs = {}
local status = obj.status

local function result(health, message)
  hs.status = health
  hs.message = message
  return hs
end

-- `text`, then the status message after a colon when there is one
local function said(text)
  if status.message ~= nil and status.message ~= "" then
    return text .. ": " .. status.message
  end
  return text
end

if status == nil then
  return result("Progressing", "Waiting for KubeRay")
end
local deployment = status.jobDeploymentStatus or ""
local job = status.jobStatus or ""

if deployment == "Failed" or deployment == "ValidationFailed" then
  local reason = status.reason
  if reason ~= nil and reason ~= "" then
    return result("Degraded", said("The RayJob failed (" .. reason .. ")"))
  end
  return result("Degraded", said("The RayJob failed"))
elseif job == "FAILED" then
  return result("Degraded", said("The Ray job failed"))
elseif job == "STOPPED" then
  return result("Degraded", said("The Ray job was stopped"))
elseif job == "SUCCEEDED" and (deployment == "Complete" or deployment == "Running") then
  return result("Healthy", "The Ray job succeeded")
elseif deployment == "Suspended" then
  return result("Suspended", "Queued: suspended until Kueue admits it")
elseif deployment == "Suspending" then
  return result("Progressing", "Suspending: its RayCluster is being deleted")
elseif deployment == "" or deployment == "New" then
  return result("Progressing", "Waiting for KubeRay")
elseif deployment == "Initializing" then
  return result("Progressing", "Starting its RayCluster")
elseif deployment == "Waiting" then
  return result("Progressing", "Waiting for the job to be submitted")
elseif deployment == "Retrying" then
  return result("Progressing", "Retrying after a failed attempt")
elseif deployment == "Running" then
  if job ~= "" then
    return result("Progressing", "Running (Ray job " .. job .. ")")
  end
  return result("Progressing", "Running")
elseif deployment == "Complete" then
  return result("Healthy", "The RayJob completed")
end
return result("Unknown", "Unknown deployment status " .. deployment)
