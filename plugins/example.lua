-- example.lua: counts each session's packets in session metadata (kept in
-- shared memory, so it survives a worker restart) and keeps the busiest
-- server ports in a Lua table (per worker, lost with it).
--
--   plugins:
--     - {name: ports, path: plugins/example.lua, filter: ["tcp or udp"]}
--
--   stellarctl plugin ports top     -> "443=120 80=40 53=12"
local by_port = {}

function on_packet(s)
  local n = (stellar.session_get_metadata(s, "example.packets") or 0) + 1
  stellar.session_set_metadata(s, "example.packets", n)
end

function on_event(s, event)
  if event == "closing" then
    local info = stellar.session_info(s)
    local port = info.server_port
    by_port[port] = (by_port[port] or 0) + (stellar.session_get_metadata(s, "example.packets") or 0)
  end
end

function on_command(cmd, args)
  if cmd ~= "top" then return "commands: top" end
  local ports = {}
  for port, n in pairs(by_port) do ports[#ports + 1] = {port, n} end
  table.sort(ports, function(a, b) return a[2] > b[2] end)
  local out = {}
  for i = 1, math.min(#ports, 10) do out[#out + 1] = ports[i][1] .. "=" .. ports[i][2] end
  return table.concat(out, " ")
end
