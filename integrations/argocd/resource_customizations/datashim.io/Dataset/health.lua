-- Argo CD health of a Datashim Dataset (datashim.io, and the older com.ie.ibm.hpsys group). Runs
-- under gopher-lua (Lua 5.1) with only the base and table libraries (argo-cd util/lua/lua.go,
-- runLuaWithResourceActionParameters): no string or math. The operator reports
-- status.provision {status, info} with the status Initializing, Pending, OK, Disabled or Failed
-- (datashim-io/datashim src/dataset-operator/api/v1alpha1/dataset_types.go: DatasetStatus).
local hs = {}
local provision = nil
if obj.status ~= nil then
  provision = obj.status.provision
end
local state = ""
local info = ""
if provision ~= nil then
  state = provision.status or ""
  info = provision.info or ""
end

-- `text`, then the operator's info after a colon when there is some
local function said(text)
  if info ~= "" then
    return text .. ": " .. info
  end
  return text
end

if state == "OK" then
  hs.status = "Healthy"
  hs.message = said("Provisioned")
elseif state == "Failed" then
  hs.status = "Degraded"
  hs.message = said("Provisioning failed")
elseif state == "" or state == "Initializing" or state == "Pending" then
  hs.status = "Progressing"
  hs.message = said("Being provisioned")
else
  hs.status = "Unknown"
  hs.message = said("Unknown provision status " .. state)
end
return hs
