-- wrk script: a realistic mix of staff and public requests (see bench/load_test.sh).
-- Staff requests carry one of the signed-in sessions (SESSIONS, comma-separated, from the
-- environment); public ones none. Any answer other than 200 is counted and reported.
local sessions = {}
for key in string.gmatch(os.getenv("SESSIONS") or "", "[^,]+") do
  table.insert(sessions, key)
end
local staff = {
  "/dashboard/", "/dashboard/", "/consultations/", "/consultations/?o=city",
  "/next-steps/?overdue=true", "/next-steps/", "/cities/", "/cities/?membership_status=member",
  "/officials/", "/workshops/", "/findings/?theme=policing", "/participants/",
  "/search/?q=council", os.getenv("CITY_PAGE") or "/cities/",
}
if os.getenv("LOAD_NO_SEARCH") == "1" then  -- to see what the slow search costs the rest
  for index = #staff, 1, -1 do
    if string.find(staff[index], "/search/", 1, true) then table.remove(staff, index) end
  end
end
local public = {
  "/", "/", "/network/", os.getenv("PUBLIC_CITY") or "/network/", "/events.ics",
}
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  counter = 0
  not_ok = 0
end
function request()
  counter = counter + 1
  -- Two staff requests for each public one.
  if counter % 3 == 0 or #sessions == 0 then
    return wrk.format("GET", public[counter % #public + 1])
  end
  local session = sessions[(counter + id * 7) % #sessions + 1]
  return wrk.format("GET", staff[counter % #staff + 1], { Cookie = "sessionid=" .. session })
end
function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("not_ok")
  end
  io.write(string.format("answers other than 200: %d\n", total))
end
