-- wrk script: every request is for a random user, with that user's own token.
-- Arguments after `--`: the request kind (a key of `kinds` below, or "mixed") and the data
-- file, one user a line: user id, TAB, token, TAB, the user's task ids separated by spaces.
-- done() prints one line, "BENCH_RESULT {json}", that bench/load.py reads.

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

local GRAPHQL_FIELDS = "id title description completed priority dueDate createdAt updatedAt version"
local GRAPHQL_LIST = '{"query":"query Tasks { tasks(first: 50) { totalCount '
  .. "pageInfo { hasNextPage endCursor } edges { node { " .. GRAPHQL_FIELDS .. ' } } } }"}'
local GRAPHQL_TOGGLE = '{"query":"mutation Toggle($id: ID!) { toggleTask(id: $id) { '
  .. GRAPHQL_FIELDS .. ' } }","variables":{"id":"'
local CREATE_BODY = '{"title":"Benchmark task","description":"Made by wrk","priority":"high"}'

local users = {}

local function load_users(path)
  for line in io.lines(path) do
    local user, token, ids = line:match("^([^\t]+)\t([^\t]+)\t?(.*)$")
    local task_ids = {}
    for id in ids:gmatch("%d+") do
      task_ids[#task_ids + 1] = id
    end
    users[#users + 1] = {
      tasks = "/api/" .. user .. "/tasks",
      authorization = "Bearer " .. token,
      ids = task_ids,
    }
  end
  assert(#users > 0, "no users in " .. path)
end

local function random_user()
  return users[math.random(#users)]
end

local function random_task(user)
  return user.ids[math.random(#user.ids)]
end

local function headers(user)
  return { ["Authorization"] = user.authorization, ["Content-Type"] = "application/json" }
end

local kinds = {
  rest_list = function(user)
    return wrk.format("GET", user.tasks .. "?limit=50", headers(user))
  end,
  rest_create = function(user)
    return wrk.format("POST", user.tasks, headers(user), CREATE_BODY)
  end,
  rest_toggle = function(user)
    -- An empty body (Content-Length: 0) flips `completed`.
    return wrk.format("PATCH", user.tasks .. "/" .. random_task(user) .. "/toggle", headers(user), "")
  end,
  rest_update = function(user)
    local body = '{"title":"Renamed ' .. math.random(1000000) .. '"}'
    return wrk.format("PATCH", user.tasks .. "/" .. random_task(user), headers(user), body)
  end,
  graphql_list = function(user)
    return wrk.format("POST", "/graphql", headers(user), GRAPHQL_LIST)
  end,
  graphql_toggle = function(user)
    return wrk.format("POST", "/graphql", headers(user), GRAPHQL_TOGGLE .. random_task(user) .. '"}}')
  end,
}
local mixed = {}
for _, build in pairs(kinds) do
  mixed[#mixed + 1] = build
end

local build

function init(args)
  math.randomseed(os.time() * 1000 + thread_number)
  bad = 0
  if args[1] == "mixed" then
    build = function(user)
      return mixed[math.random(#mixed)](user)
    end
  else
    build = assert(kinds[args[1]], "unknown request kind: " .. tostring(args[1]))
  end
  load_users(args[2])
end

function request()
  return build(random_user())
end

-- wrk itself counts only statuses above 399; every answer here must be a 2xx, and a GraphQL
-- answer (always 200) must carry no errors.
function response(status, _, body)
  if status < 200 or status > 299 or (body and body:find('"errors"', 1, true)) then
    bad = bad + 1
  end
end

function done(summary, latency, _)
  local bad_total = 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,'
      .. '"bad":%d,"socket_errors":%d}\n',
    summary.requests,
    summary.duration,
    latency:percentile(50),
    latency:percentile(99),
    bad_total,
    errors.connect + errors.read + errors.write + errors.timeout
  ))
end
