-- Test plugin: keeps typed values in session metadata; on_command("get")
-- reads them back for the session of the last packet it saw.
local last = nil

function on_packet(s)
  local n = stellar.session_get_metadata(s, "lua.count") or 0
  stellar.session_set_metadata(s, "lua.count", n + 1)
  stellar.session_set_metadata(s, "lua.ratio", 0.5)
  stellar.session_set_metadata(s, "lua.seen", true)
  stellar.session_set_metadata(s, "lua.name", "web")
  local info = stellar.session_info(s)
  stellar.session_set_metadata(s, "lua.proto", info.proto)
end
