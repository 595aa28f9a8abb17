#!/usr/bin/env bash
# Spark resource discovery script for GPUs (spark.executor.resource.gpu.discoveryScript and
# spark.worker.resource.gpu.discoveryScript): prints {"name":"gpu","addresses":["0","1",...]}
# with the indices nvidia-smi reports. Spark then hands each task its GPU(s); a ringtrain rank
# computes on the first one it was given.
#   --conf spark.executor.resource.gpu.amount=1 --conf spark.task.resource.gpu.amount=1 \
#   --conf spark.executor.resource.gpu.discoveryScript=deploy/spark/gpu-discovery.sh
set -euo pipefail
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo '{"name":"gpu","addresses":[]}'
  exit 0
fi
addresses="$(nvidia-smi --query-gpu=index --format=csv,noheader | sed 's/[^0-9]//g' | grep . | sed 's/.*/"&"/' | paste -sd, -)"
echo "{\"name\":\"gpu\",\"addresses\":[${addresses}]}"
