# Sourced by the deploy/ scripts: a Spark home made of the Maven-built jars (no Spark download),
# and the JVM flags Spark, ND4J and Aeron need on Java 17+.
#   RINGTRAIN_CLUSTER_DIR   state of the local standalone cluster (default deploy/target/cluster)
#   SPARK_LOCAL_IP          address every daemon binds to (default 127.0.0.1)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="$root/deploy/target"
cluster_dir="${RINGTRAIN_CLUSTER_DIR:-$target/cluster}"

if [ ! -f "$target/jvm.options" ] || [ ! -d "$target/lib" ] || [ ! -f "$target/ringtrain.jar" ]; then
  command -v mvn >/dev/null || { echo "ringtrain: Maven (mvn) is needed to build ringtrain; install it (apt-get install maven)" >&2; exit 2; }
  echo "ringtrain: building (mvn package, tests skipped)..." >&2
  (cd "$root" && mvn -q -B -DskipTests package) >&2
fi

export SPARK_HOME="$target/spark-home"
export SPARK_SCALA_VERSION=2.12
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
OPENS="$(cat "$target/jvm.options")"

# SPARK_HOME/jars = the runtime jars without ringtrain's own, which reach executors in
# ringtrain.jar through spark-submit like any application's.
if [ ! -d "$SPARK_HOME/jars" ] || [ "$target/lib" -nt "$SPARK_HOME/jars" ]; then
  rm -rf "$SPARK_HOME"
  mkdir -p "$SPARK_HOME/jars"
  for jar in "$target"/lib/*.jar; do
    case "$(basename "$jar")" in ringtrain-*) continue ;; esac
    ln -s "$jar" "$SPARK_HOME/jars/"
  done
fi
