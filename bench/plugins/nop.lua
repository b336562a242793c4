-- Bench plugin: the least a Lua plugin does per packet.
local packets = 0
function on_packet(s)
  packets = packets + 1
end
