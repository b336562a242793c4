-- Test plugin: tries to leave the sandbox; on_command("escapes") reports
-- what each attempt did.
local results = {}

local function try(name, f)
  local ok, err = pcall(f)
  results[#results + 1] = name .. "=" .. (ok and "allowed" or "blocked")
end

try("os.execute", function() return os.execute("touch /tmp/stellar-sandbox-escaped") end)
try("io.open", function() return io.open("/etc/passwd") end)
try("require", function() return require("os") end)
try("dofile", function() return dofile("/etc/passwd") end)
try("loadfile", function() return loadfile("/etc/passwd") end)
try("debug", function() return debug.getinfo(1) end)
try("package", function() return package.loadlib("libc.so.6", "system") end)
try("bytecode", function()
  local f = assert(load(string.dump(function() return 1 end)))
  return f()
end)
try("coroutine", function() return coroutine.create(function() end) end)

function on_command(cmd, args)
  if cmd == "escapes" then return table.concat(results, " ") end
  return "unknown"
end
