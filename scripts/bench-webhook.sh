#!/usr/bin/env bash
# The admission webhook's benchmark: akscheck serve --webhook on loopback, and a separate
# process (internal/serve/loadgen) sending AdmissionReviews of the examples' workloads at a
# fixed rate. Prints the latency distribution and errors, and the server's resident memory
# over the run (sampled every half second from /proc) and at its peak.
#
#   scripts/bench-webhook.sh [REQUESTS] [RATE]          # default 10000 at 500/s, no cluster
#   KUBECONFIG=~/.kube/config scripts/bench-webhook.sh  # the cross-object checks read that cluster
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
rate="${2:-500}"
dir=$(mktemp -d)
trap 'kill "${server:-}" "${sampler:-}" 2>/dev/null || true; rm -rf "$dir"' EXIT

go build -o "$dir/akscheck" ./cmd/akscheck
go build -o "$dir/loadgen" ./internal/serve/loadgen

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
probe=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cluster=(--no-cluster)
if [ -n "${KUBECONFIG:-}" ]; then cluster=(--kubeconfig "$KUBECONFIG"); fi
"$dir/akscheck" serve --webhook --tls-self-signed "$dir/certs" --addr "127.0.0.1:$port" \
  --probe-addr "127.0.0.1:$probe" --log-level warn "${cluster[@]}" 2>"$dir/server.log" &
server=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$probe/readyz" >/dev/null && break
  sleep 0.1
done

( while kill -0 "$server" 2>/dev/null; do
    awk '/^VmRSS/ {print $2}' "/proc/$server/status" 2>/dev/null || true
    sleep 0.5
  done ) >"$dir/rss" &
sampler=$!

echo "akscheck serve --webhook ${cluster[*]}; $n requests at $rate/s from a separate process"
"$dir/loadgen" -url "https://127.0.0.1:$port/validate" -ca "$dir/certs/ca.crt" -n "$n" -rate "$rate" -manifests examples/k8s

peak=$(awk '/^VmHWM/ {print $2}' "/proc/$server/status")
kill "$sampler" 2>/dev/null || true
awk -v peak="$peak" '{ v[NR] = $1 } END {
  if (NR == 0) exit
  printf "server RSS (MiB) over the run:"
  for (q = 0; q <= 4; q++) { i = int(1 + q * (NR - 1) / 4); printf " %.1f", v[i] / 1024 }
  printf "; peak %.1f MiB\n", peak / 1024
}' "$dir/rss"
# grep -c exits 1 when it counts none, which is the good case.
echo "server errors logged: $(grep -c '"level":"ERROR"' "$dir/server.log" || true)"
