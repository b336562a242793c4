-- Test plugin: tries to outlive its instruction budget and to make the
-- host fail outside a protected call.
setmetatable(_G, {__index = function(_, k) error("no global " .. tostring(k)) end})

local hog = {}

function on_packet(s)
  -- pcall() must not swallow the limit.
  while true do pcall(function() while true do end end) end
end

function on_command(cmd, args)
  if cmd == "fill" then
    -- Eat the interpreter's memory budget, then let the host push strings.
    local ok = pcall(function() while true do hog[#hog + 1] = string.rep("x", 1 << 20) end end)
    return "filled"
  elseif cmd == "free" then
    hog = {}
    return "freed"
  end
  return "unknown"
end
