-- Test plugin with a syntax error.
function on_packet(s
