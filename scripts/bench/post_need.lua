-- POST /v1/needs as a station, every body distinct (quantity, note and
-- requester vary). Reads TOKEN, REQUESTER_FIRST, REQUESTERS and ITEM_ID
-- from the environment.
local token = os.getenv("TOKEN")
local first = tonumber(os.getenv("REQUESTER_FIRST"))
local requesters = tonumber(os.getenv("REQUESTERS"))
local item = os.getenv("ITEM_ID")
local urgency = { "critical", "high", "normal", "normal", "low" }
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  n = 0
end

function request()
  n = n + 1
  local body = string.format(
    '{"requester_id":%d,"item_id":%s,"quantity":%d,"urgency":"%s","note":"bench %d-%d"}',
    first + (n % requesters), item, 1 + n % 50, urgency[n % 5 + 1], tid, n)
  return wrk.format("POST", "/v1/needs", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

