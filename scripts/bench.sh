#!/usr/bin/env bash
# Benchmarks vdresize against real libvirtd/QEMU domains (docs/benchmark.md). As root:
#   scripts/bench.sh [--no-build] [--no-cds] [-- BENCH_OPTIONS...]
#  1. scripts/setup-host.sh (libvirt, QEMU, JDK, Maven; about a second when all is there)
#  2. builds target/vdresize.jar and the benchmark (src/test/java/org/vdresize/bench) when a source
#     is newer than the jar, or when they are missing (mvn -DskipTests package)
#  3. runs org.vdresize.bench.Bench with the test classpath: it removes leftover vdr-bench-* domains
#     and pools, creates its own (no-OS domains, type='qemu', 32 MiB), starts `java -jar
#     target/vdresize.jar` with the JVM options of scripts/run.sh (JAVA_OPTS, default -Xmx384m) and,
#     as run.sh does, its class data sharing archive (target/cds, made when missing or stale;
#     --no-cds: the plain jar, for comparison) on a free port and a fresh database under
#     target/bench/, measures, stops it, removes its objects, writes target/bench/results.json and
#     prints a summary. About 3-6 minutes; needs about 8 GiB free on the file system of target/.
# Options after -- go to the benchmark as --name=value (see Bench.java), e.g. -- --latency-runs=60
set -euo pipefail
NAME=bench
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
BUILD=true
CDS=true
BENCH_ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) BUILD=false ;;
    --no-cds) CDS=false ;;
    -h|--help) usage; exit 0 ;;
    --) shift; BENCH_ARGS=("$@"); break ;;
    *) usage >&2; die "unknown argument: $1 (benchmark options go after --)" ;;
  esac
  shift
done
require_root

bash "$ROOT/scripts/setup-host.sh"
OUT=$ROOT/target/bench
mkdir -p "$OUT"

# one benchmark at a time on this machine: each removes every vdr-bench-* object when it starts;
# the fleet phase alone (--phases=fleet) uses libvirt's test driver only, so it runs beside another
FLEET_ONLY=false
for a in ${BENCH_ARGS[@]+"${BENCH_ARGS[@]}"}; do
  [ "$a" = --phases=fleet ] && FLEET_ONLY=true
done
if ! $FLEET_ONLY; then
  exec 7>/run/lock/vdresize-bench.lock
  flock -n 7 || die "another scripts/bench.sh is running (/run/lock/vdresize-bench.lock)"
fi

BENCH_CLASS=$ROOT/target/test-classes/org/vdresize/bench/Bench.class
stale() {
  [ -f "$APP_JAR" ] && [ -f "$BENCH_CLASS" ] || return 0
  [ -z "$(find "$ROOT/pom.xml" "$ROOT/src" "$ROOT/bpmn" "$ROOT/forms" -newer "$APP_JAR" -type f -print -quit)" ] || return 0
  return 1
}
if $BUILD && stale; then
  log "building: mvn -B -DskipTests package (log: target/bench/build.log)"
  start=$SECONDS
  if ! (cd "$ROOT" && mvn -B -ntp -Dstyle.color=never -DskipTests package) >"$OUT/build.log" 2>&1; then
    grep -E '^\[(ERROR|WARNING)\]' "$OUT/build.log" | head -n 40 >&2 || true
    die "the build failed; full log: $OUT/build.log"
  fi
  log "built in $((SECONDS - start)) s"
fi
{ [ -f "$APP_JAR" ] && [ -f "$BENCH_CLASS" ]; } || die "target/vdresize.jar or the benchmark classes are missing: run without --no-build"

CP_FILE=$OUT/classpath.txt
if [ ! -s "$CP_FILE" ] || [ "$ROOT/pom.xml" -nt "$CP_FILE" ]; then
  log "resolving the test classpath (mvn dependency:build-classpath)"
  (cd "$ROOT" && mvn -B -q -ntp -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$CP_FILE") >"$OUT/classpath.log" 2>&1 || { cat "$OUT/classpath.log" >&2; die "cannot resolve the classpath"; }
fi

log "running the benchmark (progress below; app log: target/bench/app.log)"
cd "$ROOT"
# the application runs with the JVM options scripts/run.sh uses (JAVA_OPTS, else DEFAULT_JAVA_OPTS);
# a --jvm-opts=... among the options replaces them (diagnostics)
# target/classes too: the paging phase writes its audit rows with the application's own hash chain
# and, like scripts/run.sh, with class data sharing (lib.sh: made here when missing or stale)
RUN_JAR=$APP_JAR
JVM_OPTS=${JAVA_OPTS-$DEFAULT_JAVA_OPTS}
# shellcheck disable=SC2086  # the JVM options are a list of words on purpose
if $CDS && cds_prepare $JVM_OPTS; then
  RUN_JAR=$CDS_JAR
  JVM_OPTS="$JVM_OPTS -XX:SharedArchiveFile=$CDS_ARCHIVE"
fi
exec java -cp "$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$CP_FILE")" org.vdresize.bench.Bench \
  --jar="$RUN_JAR" --out="$OUT" "--jvm-opts=$JVM_OPTS" ${BENCH_ARGS[@]+"${BENCH_ARGS[@]}"}
