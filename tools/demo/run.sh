#!/usr/bin/env bash
# `make demo`: generate the demo capture, run it through every process of the
# pipeline, and show what happened.
set -euo pipefail
cd "$(dirname "$0")/../.."

mkdir -p build/demo
rm -f build/demo/out.pcap build/demo/stats.json
build/stellar-gen-demo build/demo/demo.pcap
echo
build/stellar-orchestrator -c conf/demo.yaml --until-eof --stats-json build/demo/stats.json
echo
if cmp -s build/demo/demo.pcap build/demo/out.pcap; then
  echo "demo: build/demo/out.pcap is identical to the input (every packet forwarded, in order)"
else
  echo "demo: build/demo/out.pcap holds the packets forwarded; IP fragments leave once their"
  echo "      datagram is reassembled, so they can sit later than in the input"
fi
echo "demo: stats in build/demo/stats.json; try your own capture with conf/stellar.yaml"
