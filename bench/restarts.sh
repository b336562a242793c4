#!/usr/bin/env bash
# make bench part: how long a plugin worker is out of service.
#   kill:     stellarctl restart plugin 0 --kill, to the first packet its successor takes
#   graceful: stellarctl restart plugin 0, the same
#   scale-up: stellarctl scale plugin 2, to the first packet of the new worker
# 20 of each under a steady 2000 packets/s; the orchestrator measures each
# gap (workers[].last_gap_us). Writes $1 (JSON).
set -euo pipefail
out=$1
dir=$(mktemp -d)
trap 'build/stellarctl --instance benchrst shutdown >/dev/null 2>&1 || true; sleep 1; rm -rf "$dir"' EXIT
# 136 packets x 3000 at 2000/s: 200 s of traffic, more than the 60 rounds
# take even on a loaded machine (a gap is only seen while packets flow).
build/stellar-bench loopcap tests/data/zeek__wikipedia.pcap "$dir/in.pcap" 3000 >/dev/null
cat >"$dir/s.yaml" <<YAML
instance: benchrst
ports:
  - {name: p0, type: pcap, rx_pcap: $dir/in.pcap, pace: "pps:2000"}
pipeline: {plugin_workers: 1}
session: {max_sessions: 65536}
plugins:
  - {name: counter, path: $PWD/build/plugins/counter.so}
YAML
build/stellar-orchestrator -c "$dir/s.yaml" >"$dir/o.log" 2>&1 &

ctl() { build/stellarctl --instance benchrst "$@"; }
# plugin worker IDX: "restarts last_gap_us state"
worker() {
  ctl status --json | python3 -c "
import json,sys
for w in json.load(sys.stdin)['workers']:
  if w['kind']=='plugin' and w['index']==$1: print(w['restarts'], w.get('last_gap_us',0), w['state'])"
}
wait_gap() { # IDX RESTARTS_AT_LEAST PREVIOUS_GAP
  for _ in $(seq 1 500); do
    read -r r g s < <(worker "$1" || echo "0 0 none")
    if [ "$r" -ge "$2" ] && [ "$s" = running ] && [ "$g" != "$3" ] && [ "$g" != 0 ]; then echo "$g"; return; fi
    sleep 0.02
  done
  echo "bench: plugin worker $1 did not come back (or the capture ran out: see stellarctl stats)" >&2; exit 1
}
for _ in $(seq 1 100); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
sleep 1
kill_gaps=() grace_gaps=() scale_gaps=()
for i in $(seq 1 20); do
  read -r r g s < <(worker 0)
  ctl restart plugin 0 --kill >/dev/null
  kill_gaps+=("$(wait_gap 0 $((r + 1)) "$g")")
  sleep 0.2
done
for i in $(seq 1 20); do
  read -r r g s < <(worker 0)
  ctl restart plugin 0 >/dev/null
  grace_gaps+=("$(wait_gap 0 $((r + 1)) "$g")")
  sleep 0.2
done
for i in $(seq 1 20); do
  ctl scale plugin 2 >/dev/null
  scale_gaps+=("$(wait_gap 1 0 "x")")
  ctl scale plugin 1 >/dev/null
  for _ in $(seq 1 500); do [ -z "$(worker 1)" ] && break; sleep 0.02; done
  sleep 0.2
done
pct() { printf '%s\n' "$@" | sort -n | awk -v p="$P" '{v[NR]=$1} END {i=int((NR*p+99)/100); if(i<1)i=1; print v[i]/1000}'; }
P=50 k50=$(pct "${kill_gaps[@]}"); P=99 k99=$(pct "${kill_gaps[@]}")
P=50 g50=$(pct "${grace_gaps[@]}"); P=99 g99=$(pct "${grace_gaps[@]}")
P=50 s50=$(pct "${scale_gaps[@]}"); P=99 s99=$(pct "${scale_gaps[@]}")
printf '{"restarts": {"kill_p50_ms": %s, "kill_p99_ms": %s, "graceful_p50_ms": %s, "graceful_p99_ms": %s, "scale_up_p50_ms": %s, "scale_up_p99_ms": %s, "samples": 20}}\n' \
  "$k50" "$k99" "$g50" "$g99" "$s50" "$s99" >"$out"
echo "restarts: kill p50 $k50 ms p99 $k99 ms; graceful p50 $g50 p99 $g99; scale-up p50 $s50 p99 $s99"
