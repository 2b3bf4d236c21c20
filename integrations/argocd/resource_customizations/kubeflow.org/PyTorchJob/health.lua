-- Argo CD health of a PyTorchJob. Runs under gopher-lua (Lua 5.1) with only the base and table
-- libraries (argo-cd util/lua/lua.go, runLuaWithResourceActionParameters): no string or math.
-- The training operator reports conditions of the types Created, Running, Restarting,
-- Succeeded, Suspended and Failed (kubeflow/training-operator, release-1.9,
-- pkg/apis/kubeflow.org/v1/common_types.go: JobStatus, JobCondition, JobConditionType).
local hs = {}

local function result(health, message)
  hs.status = health
  hs.message = message
  return hs
end

-- the condition of this type when its status is True
local function holds(kind)
  if obj.status ~= nil and obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == kind and c.status == "True" then
        return c
      end
    end
  end
  return nil
end

-- `text`, then the condition's message after a colon when it has one
local function said(text, c)
  if c.message ~= nil and c.message ~= "" then
    return text .. ": " .. c.message
  end
  return text
end

local c = holds("Failed")
if c ~= nil then
  return result("Degraded", said("The PyTorchJob failed", c))
end
c = holds("Succeeded")
if c ~= nil then
  return result("Healthy", said("The PyTorchJob succeeded", c))
end
c = holds("Suspended")
if c ~= nil then
  return result("Suspended", "Queued: suspended until it is admitted")
end
c = holds("Restarting")
if c ~= nil then
  return result("Progressing", said("Restarting", c))
end
c = holds("Running")
if c ~= nil then
  return result("Progressing", said("Running", c))
end
c = holds("Created")
if c ~= nil then
  return result("Progressing", "Created: waiting for its pods")
end
return result("Progressing", "Waiting for the training operator")
