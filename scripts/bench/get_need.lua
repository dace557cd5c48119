-- GET /v1/needs/{id} over the seeded needs, as a dispatcher.
-- Reads TOKEN and NEEDS from the environment.
local token = os.getenv("TOKEN")
local needs = tonumber(os.getenv("NEEDS"))
local counter = 0

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end

function init(args)
  n = offset * 7919
end

function request()
  n = n + 1
  local id = (n * 48271) % needs + 1
  return wrk.format("GET", "/v1/needs/" .. id, { ["Authorization"] = "Bearer " .. token })
end
