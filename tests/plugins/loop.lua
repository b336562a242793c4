-- Test plugin: never returns from its packet callback.
function on_packet(s)
  local n = 0
  while true do n = n + 1 end
end
