#!/usr/bin/env bash
# Submits a ringtrain job to Kubernetes in cluster mode (documented example; not run by the tests).
#   deploy/k8s/submit.sh https://K8S_API:443 REGISTRY/ringtrain:0.1.0 [ringtrain args...]
# Needs a Spark 3.5 installation for spark-submit, the namespace and service account of
# deploy/k8s/rbac.yaml, and a snapshot.dir every executor can reach (e.g. a ReadWriteMany volume).
set -euo pipefail
api="$1" image="$2"; shift 2
opens="$(cat "$(dirname "$0")/../target/jvm.options")"
exec "$SPARK_HOME/bin/spark-submit" \
  --master "k8s://$api" --deploy-mode cluster --name ringtrain \
  --class ringtrain.driver.cli.Main \
  --conf spark.kubernetes.namespace=ringtrain \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName=ringtrain \
  --conf spark.kubernetes.container.image="$image" \
  --conf spark.executor.instances=2 \
  --conf spark.executor.cores=1 --conf spark.executor.memory=2g \
  --conf spark.executorEnv.OMP_NUM_THREADS=1 \
  --conf spark.driver.extraJavaOptions="$opens" \
  --conf spark.executor.extraJavaOptions="$opens" \
  --conf spark.kubernetes.executor.podTemplateFile="$(dirname "$0")/executor-pod.yaml" \
  local:///opt/ringtrain/ringtrain.jar \
  "${@:-train --conf /opt/ringtrain/conf/examples/fashion-mlp.conf --set train.world_size=2 --set comm.aeron.bind_host=auto --out /tmp/run}"
