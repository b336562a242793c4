#!/usr/bin/env bash
# `make bench`: every measurement, each beside a baseline measured in the same
# run; results in bench/results/ (results.json, results.md, results.png).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results
mkdir -p "$out"
parts=()
capture=tests/data/zeek__wikipedia.pcap

build/stellar-bench decode tests/data "$out/decode.json"
parts+=("$out/decode.json")

build/stellar-bench plugins "$capture" build/bench/plugins "$out/plugins.json"
parts+=("$out/plugins.json")

bash bench/restarts.sh "$out/restarts.json"
parts+=("$out/restarts.json")

# Session table vs rte_hash at 1M and 10M live sessions, and new sessions
# per second through stellar-session's per-packet path (~1 minute, ~5 GB).
build/stellar-bench sessions "$out/sessions.json"
parts+=("$out/sessions.json")

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Baseline: testpmd forwarding the same looped capture to the same sink.
# Both sides run three times, interleaved, and the medians are compared:
# on a shared two-core machine single runs vary by a third.
tpm_runs=() io_runs=()
for round in 1 2 3; do
  log=$(mktemp)
  timeout -s INT 6 dpdk-testpmd -l 0-1 --no-pci --file-prefix stellar_bench_tpm --log-level=error \
    --vdev "net_pcap0,rx_pcap=$capture,infinite_rx=1" --vdev "net_null0,no-rx=1" -- \
    --auto-start --forward-mode=io --record-core-cycles --no-lsc-interrupt --nb-cores=1 >"$log" 2>&1 || true
  tpm_runs+=("$(sed -n 's/.*CPU cycles\/packet=\([0-9.]*\).*/\1/p' "$log" | tail -1)")
  rm -f "$log"
  build/stellar-bench io "$capture" "$out/io-$round.json" >&2
  io_runs+=("$(sed -n 's/.*"cycles_per_packet": \([0-9.]*\).*/\1/p' "$out/io-$round.json")")
done
tpm=$(printf '%s\n' "${tpm_runs[@]}" | median)
io=$(printf '%s\n' "${io_runs[@]}" | median)
echo "testpmd runs: ${tpm_runs[*]} -> $tpm; stellar-io runs: ${io_runs[*]} -> $io cycles/packet"
printf '{"testpmd": {"cycles_per_packet": %s, "runs": [%s], "capture": "%s"}}\n' "$tpm" \
  "$(IFS=,; echo "${tpm_runs[*]}")" "$capture" >"$out/testpmd.json"
printf '{"io": {"cycles_per_packet": %s, "runs": [%s], "capture": "%s"}}\n' "$io" \
  "$(IFS=,; echo "${io_runs[*]}")" "$capture" >"$out/io.json"
rm -f "$out"/io-?.json
parts+=("$out/testpmd.json" "$out/io.json")

build/stellar-bench report "$out" "${parts[@]}"
if command -v gnuplot >/dev/null; then
  gnuplot <<PLOT
set terminal png size 1350,420 noenhanced
set yrange [0:*]
set output "$out/results.png"
set style fill solid 0.6
set boxwidth 0.6
set multiplot layout 1,3
set title "decode + flow hash (ns/packet)"
set xtics rotate by -30
plot "< grep ^decode_ $out/results.dat | sed 's/decode_//'" using 0:2:xtic(1) with boxes notitle
set title "cycles/packet: testpmd vs stellar-io path"
plot "< grep cycles $out/results.dat" using 0:2:xtic(1) with boxes notitle
set title "session table at 10M live (ns/op)"
set style data histograms
set style histogram clustered gap 1
set boxwidth 0.9 relative
plot "< grep ^sess10M_ $out/results.dat | sed 's/sess10M_//'" using 2:xtic(1) title "Stellar", \
     "" using 3 title "rte_hash"
unset multiplot
PLOT
fi
rm -rf /var/run/dpdk/stellar_bench /var/run/dpdk/stellar_bench_tpm /var/run/dpdk/stellar_bench_plugins /var/run/dpdk/stellar_bench_sessions
rm -f /dev/hugepages/stellar_bench*
echo
cat "$out/results.md"
