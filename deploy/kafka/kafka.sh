#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, combined broker+controller) on 127.0.0.1 for
# integration tests and local use. The broker jars come from Maven Central via
# Maven (pom.xml beside this script); no Kafka tarball, no docker.
#
# Client listeners: PLAINTEXT on 127.0.0.1:19092 and SASL_PLAINTEXT (SASL/PLAIN,
# TEST-ONLY users stockctl/stockctl-secret and admin/admin-secret) on 19094.
#
# Usage: kafka.sh fetch | up | down [--wipe] | status | logs [-f] [N] | tool CLASS [ARGS...]
# Cluster mode (cluster.sh): up|down|status --nodes N, node I kill|pause|resume|restart|status
# See README.md beside this script for the environment variables.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROG="kafka.sh"

# ---------------------------------------------------------------- settings ---
abspath() { # make a path absolute relative to the current directory
  case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac
}

KAFKA_VERSION="$(sed -n 's/^[[:space:]]*KAFKA_VERSION[[:space:]]*=[[:space:]]*//p' "$SCRIPT_DIR/kafka.env" | tr -d '"'"'"'[:space:]' | tail -n 1)"
[[ -n "$KAFKA_VERSION" ]] || { echo "$PROG: no KAFKA_VERSION=... line in $SCRIPT_DIR/kafka.env" >&2; exit 1; }

HOST="127.0.0.1"
PORT="${KAFKA_PORT:-19092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
SASL_PORT="${KAFKA_SASL_PORT:-19094}"
WORK_DIR="$(abspath "${KAFKA_WORK_DIR:-$SCRIPT_DIR/.work}")"
LIBS_DIR="$(abspath "${KAFKA_LIBS_DIR:-$WORK_DIR/libs}")"
DATA_DIR="$WORK_DIR/data"
PROPS="$WORK_DIR/server.properties"
TOOLS_PROPS="$WORK_DIR/tools.properties"
SASL_TOOLS_PROPS="$WORK_DIR/tools-sasl.properties"
CLUSTER_ID_FILE="$WORK_DIR/cluster.id"
LOG_FILE="$WORK_DIR/kafka.log"
PID_FILE="$WORK_DIR/kafka.pid"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
JVM_OPTS="${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true}"
BOOTSTRAP="$HOST:$PORT"
SASL_BOOTSTRAP="$HOST:$SASL_PORT"
STAMP="$LIBS_DIR/.fetched"

# SASL/PLAIN users of the SASL_PLAINTEXT listener. TEST-ONLY credentials for a
# broker on 127.0.0.1: never reuse them anywhere real. The readiness probe (and
# $SASL_TOOLS_PROPS) log in as SASL_USER.
SASL_USER="stockctl"
SASL_PASSWORD="stockctl-secret"
SASL_ADMIN_USER="admin"
SASL_ADMIN_PASSWORD="admin-secret"

for p in "$PORT" "$CONTROLLER_PORT" "$SASL_PORT" "$START_TIMEOUT" "$STOP_TIMEOUT"; do
  [[ "$p" =~ ^[0-9]+$ ]] || { echo "$PROG: not a number: '$p' (check KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_SASL_PORT, KAFKA_*_TIMEOUT)" >&2; exit 2; }
done
[[ "$PORT" != "$CONTROLLER_PORT" && "$PORT" != "$SASL_PORT" && "$CONTROLLER_PORT" != "$SASL_PORT" ]] ||
  { echo "$PROG: KAFKA_PORT ($PORT), KAFKA_CONTROLLER_PORT ($CONTROLLER_PORT) and KAFKA_SASL_PORT ($SASL_PORT) must all differ" >&2; exit 2; }

# ----------------------------------------------------------------- helpers ---
say() { echo "$PROG: $*" >&2; }
die() { echo "$PROG: error: $*" >&2; exit 1; }

JAVA=""
need_java() {
  [[ -n "$JAVA" ]] && return 0
  if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
    JAVA="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    JAVA="$(command -v java)"
  else
    die "Java not found: install a JDK/JRE 17 or newer (e.g. 'apt-get install -y openjdk-17-jre-headless') or set JAVA_HOME"
  fi
  local line major
  line="$("$JAVA" -version 2>&1 | sed -n 1p)"
  major="$(sed -n 's/.*version "\([0-9][0-9]*\)\(\.\([0-9][0-9]*\)\)\{0,1\}.*/\1 \3/p' <<<"$line")"
  if [[ "$major" == "1 "* ]]; then major="${major#1 }"; else major="${major%% *}"; fi
  [[ "$major" =~ ^[0-9]+$ ]] || die "cannot tell the Java version of $JAVA ($line)"
  (( major >= 17 )) || die "Kafka $KAFKA_VERSION needs Java 17 or newer; $JAVA is Java $major ($line). Set JAVA_HOME to a newer JDK."
}

need_maven() {
  command -v mvn >/dev/null 2>&1 ||
    die "Maven (mvn) not found: it is needed once to fetch the Kafka jars from Maven Central (e.g. 'apt-get install -y maven')"
}

fetched_stamp() { # what a complete fetch of the current version + pom looks like
  printf 'kafka=%s pom=%s\n' "$KAFKA_VERSION" "$(sha256sum "$SCRIPT_DIR/pom.xml" | cut -d' ' -f1)"
}

is_fetched() {
  [[ -f "$STAMP" ]] && [[ "$(cat "$STAMP")" == "$(fetched_stamp)" ]] &&
    compgen -G "$LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null
}

# pid of our running broker, or nothing. Checks that the pid is alive, not a
# zombie, and really is a kafka.Kafka started with our server.properties.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid state
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
  state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null || true)"
  [[ "$state" != "Z" && -n "$state" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $PROPS" || return 1
  echo "$pid"
}

port_open() { # does something accept TCP connections on 127.0.0.1:$1 ?
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

run_tool() { # run a Kafka class from the fetched jars with quiet tool logging
  need_java
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$SCRIPT_DIR/tools-log4j2.xml" \
    -cp "$LIBS_DIR/*" "$@"
}

# The class that formats KRaft storage: kafka.tools.StorageTool in the broker jar
# up to at least 4.4; org.apache.kafka.tools.StorageTool should it move. Zip
# entry names are stored uncompressed, so grep can find them in a jar.
storage_tool_class() {
  local c
  for c in kafka/tools/StorageTool org/apache/kafka/tools/StorageTool; do
    if grep -qaF "$c.class" "$LIBS_DIR"/kafka*.jar 2>/dev/null; then
      echo "${c//\//.}"; return 0
    fi
  done
  die "no StorageTool class in $LIBS_DIR; run '$0 fetch' again"
}

# ---------------------------------------------------------------- commands ---
cmd_fetch() {
  if pid="$(running_pid)"; then
    die "Kafka is running (pid $pid) from these jars; run '$0 down' before fetching"
  fi
  need_maven
  need_java
  local tmp="$LIBS_DIR.tmp.$$" start=$SECONDS
  say "fetching Kafka $KAFKA_VERSION and its runtime dependencies from Maven Central into $LIBS_DIR (the first time may take a few minutes)"
  mkdir -p "$(dirname "$LIBS_DIR")"
  rm -rf "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  # shellcheck disable=SC2086 # KAFKA_MVN_ARGS is meant to be split
  # (sed strips the bare colour-reset codes that Maven 3.8 prints even with -B)
  if ! mvn -B -q -ntp -Dstyle.color=never -f "$SCRIPT_DIR/pom.xml" -Dkafka.version="$KAFKA_VERSION" ${KAFKA_MVN_ARGS:-} \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 |
      sed 's/\x1b\[[0-9;]*m//g' >&2; then
    die "Maven could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION (see the Maven output above)"
  fi
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "Maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing from $tmp"
  fetched_stamp >"$tmp/.fetched"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  trap - EXIT
  say "fetched $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars ($(du -sh "$LIBS_DIR" | cut -f1)) in $((SECONDS - start))s"
}

# The broker config that '$PROG up' writes (and compares with the running one).
server_properties() {
  cat <<EOF
# Written by $PROG up; rewritten at every start (edit kafka.sh, not this file).
# Single-node KRaft: this process is both the broker and the only controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
# Client listeners: PLAINTEXT (no auth, also inter-broker) and SASL_PLAINTEXT
# (SASL/PLAIN username+password, no TLS). Listeners are config, not storage:
# changing them needs no re-format.
listeners=PLAINTEXT://$HOST:$PORT,SASL_PLAINTEXT://$HOST:$SASL_PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,SASL_PLAINTEXT://$HOST:$SASL_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=PLAIN
# TEST-ONLY users (user_NAME="PASSWORD"); authentication only, no authorizer/ACLs.
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER="$SASL_PASSWORD" user_$SASL_ADMIN_USER="$SASL_ADMIN_PASSWORD";
log.dirs=$DATA_DIR
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
EOF
}

write_configs() {
  mkdir -p "$WORK_DIR" "$DATA_DIR"
  server_properties >"$PROPS"
  cat >"$TOOLS_PROPS" <<EOF
# Admin-client settings for the readiness probe of $PROG up.
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
  cat >"$SASL_TOOLS_PROPS" <<EOF
# Client settings for the SASL_PLAINTEXT listener $SASL_BOOTSTRAP, as TEST-ONLY
# user $SASL_USER; used by the readiness probe of $PROG up, and usable as
# --command-config of Kafka tools. Written by $PROG up.
security.protocol=SASL_PLAINTEXT
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$SASL_USER" password="$SASL_PASSWORD";
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
}

# cluster_id CLASS FILE: the cluster id kept in FILE, or a new one from CLASS (the
# storage tool) written there.
cluster_id() {
  local cid
  if [[ -s "$2" ]]; then
    cat "$2"
    return 0
  fi
  cid="$(run_tool "$1" random-uuid | tail -n 1 | tr -d '[:space:]')"
  [[ -n "$cid" ]] || die "could not generate a cluster id with $1 random-uuid"
  echo "$cid" >"$2"
  echo "$cid"
}

format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  local cls cid
  cls="$(storage_tool_class)"
  cid="$(cluster_id "$cls" "$CLUSTER_ID_FILE")"
  say "formatting KRaft storage in $DATA_DIR (cluster id $cid)"
  run_tool "$cls" format -t "$cid" -c "$PROPS" >&2 ||
    die "formatting storage failed ($cls format -t $cid -c $PROPS)"
}

log_tail() {
  if [[ -f "$LOG_FILE" ]]; then
    echo "---- last ${1:-60} lines of $LOG_FILE ----" >&2
    tail -n "${1:-60}" "$LOG_FILE" >&2
    echo "----" >&2
  fi
}

# Wait until the broker (pid $1) serves clients on both client listeners, or die
# after KAFKA_START_TIMEOUT. Ready = the process lives, and on each listener the
# port accepts TCP and an admin client gets a topic list back (the broker serves
# requests only once it has caught up with the metadata log and is unfenced):
# first PLAINTEXT, then SASL_PLAINTEXT logged in as the test user $SASL_USER,
# which proves the SASL listener authenticates clients.
wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT)) probe_out="$WORK_DIR/probe.out"
  local plain_ready=0 waiting_for="$BOOTSTRAP (PLAINTEXT)"
  rm -f "$probe_out"
  while :; do
    if [[ ! -d "/proc/$pid" ]] || [[ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)" == "Z" ]]; then
      rm -f "$PID_FILE"
      log_tail 80
      die "Kafka exited during startup (see $LOG_FILE)"
    fi
    if ((!plain_ready)) && port_open "$PORT" && probe "$BOOTSTRAP" "$TOOLS_PROPS" "$deadline" "$probe_out"; then
      plain_ready=1
      waiting_for="$SASL_BOOTSTRAP (SASL_PLAINTEXT as $SASL_USER)"
    fi
    if ((plain_ready)) && port_open "$SASL_PORT"; then
      if probe "$SASL_BOOTSTRAP" "$SASL_TOOLS_PROPS" "$deadline" "$probe_out"; then
        break
      fi
      # A refused login will not fix itself by waiting: say so now.
      if grep -qiE 'SaslAuthenticationException|Authentication failed' "$probe_out"; then
        echo "---- SASL readiness probe output ----" >&2; tail -n 20 "$probe_out" >&2
        die "the SASL listener $SASL_BOOTSTRAP refused the test user $SASL_USER (pid $pid is left running; '$0 down' stops it)"
      fi
    fi
    if ((SECONDS >= deadline)); then
      log_tail 80
      if [[ -s "$probe_out" ]]; then echo "---- last readiness probe output ----" >&2; tail -n 20 "$probe_out" >&2; fi
      die "Kafka did not become ready on $waiting_for within ${START_TIMEOUT}s (pid $pid is left running; '$0 down' stops it)"
    fi
    sleep 1
  done
  rm -f "$probe_out"
}

# probe BOOTSTRAP CLIENT_PROPS DEADLINE OUT: can an admin client list topics?
probe() {
  local left=$(($3 - SECONDS)); ((left < 5)) && left=5
  timeout "$((left < 20 ? left : 20))" \
    "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$SCRIPT_DIR/tools-log4j2.xml" -cp "$LIBS_DIR/*" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$1" \
    --command-config "$2" --list >"$4" 2>&1
}

cmd_up() {
  need_java
  local pid
  if pid="$(running_pid)"; then
    say "Kafka is already running (pid $pid) at $BOOTSTRAP"
    # It runs with the config written when it started; if up would now write
    # another one (e.g. a kafka.sh from before the SASL listener, or other
    # ports), waiting cannot help: say how to apply it (the data is kept).
    if [[ "$(server_properties)" != "$(cat "$PROPS" 2>/dev/null)" ]]; then
      say "the running broker's $PROPS differs from the config this $PROG writes:"
      diff <(cat "$PROPS" 2>/dev/null) <(server_properties) | grep '^[<>]' | sed 's/^</  running:/; s/^>/  wanted: /' >&2 || true
      die "Kafka (pid $pid) runs with an older or different config; run '$0 down' then '$0 up' to restart it with this one (data is kept)"
    fi
    wait_ready "$pid"
    echo "$BOOTSTRAP"
    return 0
  fi
  rm -f "$PID_FILE"
  for p in "$PORT" "$SASL_PORT" "$CONTROLLER_PORT"; do
    if port_open "$p"; then
      die "port $HOST:$p is already in use by another process (not this script's Kafka); set KAFKA_PORT / KAFKA_SASL_PORT / KAFKA_CONTROLLER_PORT or stop it"
    fi
  done

  if ! is_fetched; then
    cmd_fetch
  fi
  write_configs
  format_storage

  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  say "starting Kafka $KAFKA_VERSION (broker $BOOTSTRAP, SASL_PLAINTEXT $SASL_BOOTSTRAP, controller $HOST:$CONTROLLER_PORT, data $DATA_DIR)"
  local start=$SECONDS
  # shellcheck disable=SC2086 # the *_OPTS variables are meant to be split
  nohup "$JAVA" $HEAP_OPTS $JVM_OPTS \
    -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2.xml" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS" \
    </dev/null >>"$LOG_FILE" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"

  wait_ready "$pid"
  say "Kafka $KAFKA_VERSION is ready at $BOOTSTRAP and SASL_PLAINTEXT $SASL_BOOTSTRAP (pid $pid, started in $((SECONDS - start))s, log $LOG_FILE)"
  echo "$BOOTSTRAP"
}

wipe_data() {
  say "wiping data: $DATA_DIR, $CLUSTER_ID_FILE and generated configs (jars and logs are kept)"
  rm -rf "$DATA_DIR" "$CLUSTER_ID_FILE" "$PROPS" "$TOOLS_PROPS" "$SASL_TOOLS_PROPS"
}

cmd_down() {
  local wipe="${KAFKA_WIPE:-0}"
  for a in "$@"; do
    case "$a" in
      --wipe) wipe=1 ;;
      *) die "down: unknown option '$a' (only --wipe)" ;;
    esac
  done
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    say "Kafka is not running"
    [[ "$wipe" == 1 ]] && wipe_data
    return 0
  fi
  say "stopping Kafka (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while running_pid >/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
  if running_pid >/dev/null; then
    say "Kafka did not stop within ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 20); do running_pid >/dev/null || break; sleep 0.5; done
    running_pid >/dev/null && die "pid $pid survived SIGKILL"
  fi
  rm -f "$PID_FILE"
  say "Kafka stopped"
  [[ "$wipe" == 1 ]] && wipe_data
  return 0
}

cmd_status() {
  local pid
  if ! pid="$(running_pid)"; then
    say "Kafka is not running"
    return 1
  fi
  if ! port_open "$PORT"; then
    say "Kafka process $pid is alive but $BOOTSTRAP does not accept connections (starting or unhealthy; see '$0 logs')"
    return 1
  fi
  say "Kafka $KAFKA_VERSION is running (pid $pid) at $BOOTSTRAP"
  # stdout stays the PLAINTEXT address alone (scripts parse it); SASL on stderr
  if port_open "$SASL_PORT"; then
    say "SASL_PLAINTEXT (SASL/PLAIN, test user $SASL_USER) at $SASL_BOOTSTRAP; client config $SASL_TOOLS_PROPS"
  else
    say "warning: the SASL_PLAINTEXT listener $SASL_BOOTSTRAP does not accept connections (broker started by an older $PROG? '$0 down' then '$0 up' adds it)"
  fi
  echo "$BOOTSTRAP"
}

cmd_logs() {
  local follow=0 n=200
  for a in "$@"; do
    case "$a" in
      -f|--follow) follow=1 ;;
      *[!0-9]*|"") die "logs: usage: logs [-f] [LINES]" ;;
      *) n="$a" ;;
    esac
  done
  [[ -f "$LOG_FILE" ]] || die "no log yet at $LOG_FILE"
  if ((follow)); then exec tail -n "$n" -F "$LOG_FILE"; else tail -n "$n" "$LOG_FILE"; fi
}

cmd_tool() {
  (($# >= 1)) || die "tool: usage: tool CLASS [ARGS...]  (e.g. tool org.apache.kafka.tools.TopicCommand --bootstrap-server $BOOTSTRAP --list)"
  is_fetched || die "Kafka jars not fetched yet; run '$0 fetch' or '$0 up'"
  run_tool "$@"
}

usage() {
  cat <<EOF
usage: $0 COMMAND
  fetch            download Kafka $KAFKA_VERSION jars with Maven into $LIBS_DIR
  up               fetch if needed, format storage once, start, wait until both client listeners
                   answer (SASL_PLAINTEXT $SASL_BOOTSTRAP as test user $SASL_USER); prints $BOOTSTRAP
  down [--wipe]    stop (SIGTERM, then SIGKILL after ${STOP_TIMEOUT}s); --wipe or KAFKA_WIPE=1 also deletes the data
  status           exit 0 and print the PLAINTEXT bootstrap address if running (SASL one on stderr), else exit 1
  logs [-f] [N]    show the last N (200) lines of the broker log; -f follows it
  tool CLASS ARGS  run a Kafka tool class from the fetched jars (e.g. org.apache.kafka.tools.TopicCommand)
cluster mode: N (3 to 9) KRaft nodes, each broker and controller, RF 3, min ISR 2, PLAINTEXT only
  up --nodes N     fetch if needed, format once, start the nodes not running, wait until all N
                   brokers are registered; prints $( NODES=3 cluster_bootstrap )
  down --nodes N [--wipe]  stop every node (SIGTERM, SIGKILL after ${STOP_TIMEOUT}s); --wipe deletes the data
  status --nodes N print each node's state on stderr and the bootstrap list on stdout; exit 1 if none runs
  node I kill      SIGKILL node I          node I pause / resume   SIGSTOP / SIGCONT node I
  node I restart   stop node I if running (SIGTERM), start it, wait until the cluster lists it unfenced
  node I status    print running, paused or down (exit 1 if down)   node I logs   its log's last 200 lines
  node I's ports: client base+100*I+2, controller base+100*I+3 (base KAFKA_CLUSTER_PORT_BASE, $CLUSTER_PORT_BASE);
  work dir $CLUSTER_DIR/nodeI; heap KAFKA_CLUSTER_HEAP_OPTS ($CLUSTER_HEAP_OPTS)
env: KAFKA_PORT ($PORT) KAFKA_SASL_PORT ($SASL_PORT) KAFKA_CONTROLLER_PORT ($CONTROLLER_PORT) KAFKA_WORK_DIR ($WORK_DIR)
     KAFKA_LIBS_DIR KAFKA_HEAP_OPTS KAFKA_JVM_OPTS KAFKA_START_TIMEOUT KAFKA_STOP_TIMEOUT KAFKA_WIPE KAFKA_MVN_ARGS
EOF
}

# shellcheck source-path=SCRIPTDIR source=cluster.sh
source "$SCRIPT_DIR/cluster.sh"

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
  fetch) cmd_fetch "$@" ;;
  up|start) if cluster_args "$@"; then cluster_up; else cmd_up "$@"; fi ;;
  down|stop) if cluster_args "$@"; then cluster_down; else cmd_down "$@"; fi ;;
  status) if cluster_args "$@"; then cluster_status; else cmd_status "$@"; fi ;;
  node) cmd_node "$@" ;;
  logs|log) cmd_logs "$@" ;;
  tool) cmd_tool "$@" ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
