# Cluster mode of kafka.sh (sourced by it, not run on its own): N KRaft nodes of
# the same Kafka on 127.0.0.1, each both broker and controller, a controller
# quorum of all N, replication factor 3 and min ISR 2 by default. PLAINTEXT
# listeners only. Commands (see usage in kafka.sh and README.md):
#   up --nodes N, down --nodes N [--wipe], status --nodes N,
#   node I kill|pause|resume|restart|status|logs
# shellcheck shell=bash

CLUSTER_DIR="$WORK_DIR/cluster"
CLUSTER_PORT_BASE="${KAFKA_CLUSTER_PORT_BASE:-29090}"
CLUSTER_HEAP_OPTS="${KAFKA_CLUSTER_HEAP_OPTS:--Xms128m -Xmx384m}"
CLUSTER_ID_FILE_C="$CLUSTER_DIR/cluster.id"
CLUSTER_NODES_FILE="$CLUSTER_DIR/nodes"
CLUSTER_TOOLS_PROPS="$CLUSTER_DIR/tools.properties"
if ! [[ "$CLUSTER_PORT_BASE" =~ ^[0-9]+$ ]] || ((CLUSTER_PORT_BASE + 1000 > 65535)); then
  echo "$PROG: KAFKA_CLUSTER_PORT_BASE must be a number of at most 64535, not '$CLUSTER_PORT_BASE'" >&2; exit 2
fi

# cluster_args ARGS...: true when ARGS hold --nodes N (or --nodes=N); sets NODES
# and REST (the other arguments).
cluster_args() {
  NODES="" REST=()
  while (($#)); do
    case "$1" in
      --nodes) (($# >= 2)) || die "--nodes needs a number"; NODES="$2"; shift 2 ;;
      --nodes=*) NODES="${1#--nodes=}"; shift ;;
      *) REST+=("$1"); shift ;;
    esac
  done
  [[ -n "$NODES" ]] || return 1
  [[ "$NODES" =~ ^[3-9]$ ]] || die "--nodes $NODES: use 3 to 9 (replication factor 3 needs three brokers; the ports leave room for nine)"
}

node_dir() { echo "$CLUSTER_DIR/node$1"; }
node_port() { echo $((CLUSTER_PORT_BASE + 100 * $1 + 2)); }
node_controller_port() { echo $((CLUSTER_PORT_BASE + 100 * $1 + 3)); }
node_props() { echo "$(node_dir "$1")/server.properties"; }
node_log() { echo "$(node_dir "$1")/kafka.log"; }

cluster_bootstrap() {
  local i list=""
  for ((i = 1; i <= NODES; i++)); do list+="${list:+,}$HOST:$(node_port "$i")"; done
  echo "$list"
}

# The node count of the cluster in this work dir, as its last up recorded it.
cluster_recorded_nodes() {
  [[ -s "$CLUSTER_NODES_FILE" ]] || die "no cluster in $CLUSTER_DIR; start one with '$0 up --nodes 3'"
  NODES="$(tr -dc '0-9' <"$CLUSTER_NODES_FILE")"
}

# node_pid I: pid of node I's kafka.Kafka (running or paused), or fail.
node_pid() {
  local f pid state
  f="$(node_dir "$1")/kafka.pid"
  [[ -f "$f" ]] || return 1
  pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
  state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null || true)"
  [[ "$state" != "Z" && -n "$state" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $(node_props "$1")" || return 1
  echo "$pid"
}

node_state() { # running, paused (SIGSTOP) or down
  local pid
  pid="$(node_pid "$1")" || { echo down; return 0; }
  case "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)" in
    T) echo paused ;;
    *) echo running ;;
  esac
}

node_properties() { # node_properties I
  local i="$1" j voters=""
  for ((j = 1; j <= NODES; j++)); do voters+="${voters:+,}$j@$HOST:$(node_controller_port "$j")"; done
  local rf=3 isr=2
  cat <<EOF
# Written by $PROG up --nodes $NODES; rewritten at every start (edit cluster.sh, not this file).
# Node $i of a $NODES-node KRaft cluster: broker and controller, static quorum of all nodes.
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$HOST:$(node_port "$i"),CONTROLLER://$HOST:$(node_controller_port "$i")
advertised.listeners=PLAINTEXT://$HOST:$(node_port "$i")
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$(node_dir "$i")/data
num.partitions=3
default.replication.factor=$rf
min.insync.replicas=$isr
unclean.leader.election.enable=false
offsets.topic.replication.factor=$rf
offsets.topic.min.isr=$isr
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
EOF
}

cluster_write_configs() {
  local i
  mkdir -p "$CLUSTER_DIR"
  echo "$NODES" >"$CLUSTER_NODES_FILE"
  for ((i = 1; i <= NODES; i++)); do
    mkdir -p "$(node_dir "$i")/data"
    node_properties "$i" >"$(node_props "$i")"
  done
  cat >"$CLUSTER_TOOLS_PROPS" <<EOF
# Admin-client settings for the readiness probes of $PROG up --nodes.
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
}

cluster_format() { # format every node's storage not yet formatted, with one cluster id
  local cls cid i
  cls="$(storage_tool_class)"
  cid="$(cluster_id "$cls" "$CLUSTER_ID_FILE_C")"
  for ((i = 1; i <= NODES; i++)); do
    [[ -f "$(node_dir "$i")/data/meta.properties" ]] && continue
    say "formatting KRaft storage of node $i in $(node_dir "$i")/data (cluster id $cid)"
    run_tool "$cls" format -t "$cid" -c "$(node_props "$i")" >&2 ||
      die "formatting node $i failed ($cls format -t $cid -c $(node_props "$i"))"
  done
}

node_start() { # node_start I: start node I's JVM (storage formatted, config written)
  local i="$1" log pid
  log="$(node_log "$i")"
  [[ -f "$log" ]] && mv -f "$log" "$log.1"
  # shellcheck disable=SC2086 # the *_OPTS variables are meant to be split
  nohup "$JAVA" $CLUSTER_HEAP_OPTS $JVM_OPTS \
    -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2.xml" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$(node_props "$i")" \
    </dev/null >>"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$(node_dir "$i")/kafka.pid"
  say "started node $i (pid $pid, client $HOST:$(node_port "$i"), controller $HOST:$(node_controller_port "$i"), log $log)"
}

# cluster_broker_ids: the ids of the brokers the cluster reports as registered and
# unfenced, one a line, asked of any node that answers.
cluster_broker_ids() {
  local left="${1:-20}"
  timeout "$left" "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$SCRIPT_DIR/tools-log4j2.xml" -cp "$LIBS_DIR/*" \
    org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "$(cluster_bootstrap)" \
    --command-config "$CLUSTER_TOOLS_PROPS" 2>/dev/null |
    sed -n 's/^[^ ]* (id: \([0-9][0-9]*\) .*isFenced: false.*/\1/p' | sort -n | uniq
}

# cluster_wait_ready [I...]: wait until each node named (all by default) lives, has
# logged that it started (its log begins at its start, so a node just restarted is
# not taken for its killed predecessor, whose registration outlives it by the
# session timeout) and accepts TCP on its client port, and the cluster reports
# each of them registered and unfenced; die after START_TIMEOUT. up waits for all
# nodes; restart for its own only, so that it works while another node is down.
cluster_wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT)) i ids="" want=("$@") missing
  ((${#want[@]})) || mapfile -t want < <(seq 1 "$NODES")
  while :; do
    local all_open=1
    for i in "${want[@]}"; do
      if [[ "$(node_state "$i")" == down ]]; then
        tail -n 60 "$(node_log "$i")" >&2 2>/dev/null || true
        die "node $i is not running (exited during startup? see $(node_log "$i"))"
      fi
      grep -qF 'Kafka Server started' "$(node_log "$i")" 2>/dev/null && port_open "$(node_port "$i")" || all_open=0
    done
    missing="${want[*]}"
    if ((all_open)); then
      local left=$((deadline - SECONDS)); ((left < 5)) && left=5
      ids=" $(cluster_broker_ids "$((left < 20 ? left : 20))" | tr '\n' ' ')"
      missing=""
      for i in "${want[@]}"; do [[ "$ids" == *" $i "* ]] || missing+="${missing:+ }$i"; done
      [[ -z "$missing" ]] && return 0
    fi
    if ((SECONDS >= deadline)); then
      die "the cluster did not report node(s) $missing registered and unfenced within ${START_TIMEOUT}s (it reports:${ids:- none}); nodes are left running: '$0 down --nodes $NODES' stops them"
    fi
    sleep 1
  done
}

cluster_up() {
  ((${#REST[@]} == 0)) || die "up --nodes: unknown option '${REST[0]}'"
  need_java
  local i p started=0 start=$SECONDS
  if ! is_fetched; then cmd_fetch; fi
  for ((i = 1; i <= NODES; i++)); do
    if node_pid "$i" >/dev/null; then
      if [[ "$(node_properties "$i")" != "$(cat "$(node_props "$i")" 2>/dev/null)" ]]; then
        die "node $i runs with an older or different config; run '$0 down --nodes $NODES' then '$0 up --nodes $NODES' (data is kept)"
      fi
      continue
    fi
    for p in "$(node_port "$i")" "$(node_controller_port "$i")"; do
      port_open "$p" && die "port $HOST:$p of node $i is already in use by another process; set KAFKA_CLUSTER_PORT_BASE or stop it"
    done
  done
  cluster_write_configs
  cluster_format
  for ((i = 1; i <= NODES; i++)); do
    if [[ "$(node_state "$i")" == paused ]]; then
      say "node $i is paused; resuming it"; kill -CONT "$(node_pid "$i")"
    fi
    node_pid "$i" >/dev/null && continue
    node_start "$i"; started=$((started + 1))
  done
  ((started == 0)) && say "all $NODES nodes are already running"
  cluster_wait_ready
  say "Kafka $KAFKA_VERSION cluster of $NODES nodes is ready at $(cluster_bootstrap) (up in $((SECONDS - start))s; work dir $CLUSTER_DIR)"
  cluster_bootstrap
}

node_stop() { # node_stop I: SIGTERM (after SIGCONT), SIGKILL after STOP_TIMEOUT
  local i="$1" pid deadline
  pid="$(node_pid "$i")" || return 0
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while node_pid "$i" >/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
  if node_pid "$i" >/dev/null; then
    say "node $i did not stop within ${STOP_TIMEOUT}s; sending SIGKILL"
    node_kill "$i"
  fi
  rm -f "$(node_dir "$i")/kafka.pid"
}

node_kill() {
  local i="$1" pid n
  pid="$(node_pid "$i")" || return 0
  kill -KILL "$pid" 2>/dev/null || true
  for ((n = 0; n < 40; n++)); do node_pid "$i" >/dev/null || return 0; sleep 0.25; done
  die "node $i (pid $pid) survived SIGKILL"
}

cluster_down() {
  local wipe="${KAFKA_WIPE:-0}" a i
  for a in "${REST[@]}"; do
    case "$a" in
      --wipe) wipe=1 ;;
      *) die "down --nodes: unknown option '$a' (only --wipe)" ;;
    esac
  done
  # All at once: one by one, each later node would wait for a controller that
  # has already gone.
  for ((i = 1; i <= NODES; i++)); do
    local pid
    if pid="$(node_pid "$i")"; then
      say "stopping node $i (pid $pid)"
      kill -CONT "$pid" 2>/dev/null || true
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for ((i = 1; i <= NODES; i++)); do node_stop "$i"; done
  say "cluster stopped"
  if [[ "$wipe" == 1 ]]; then
    say "wiping the cluster's data and configs in $CLUSTER_DIR (node logs are kept)"
    for ((i = 1; i <= NODES; i++)); do rm -rf "$(node_dir "$i")/data" "$(node_props "$i")"; done
    rm -f "$CLUSTER_ID_FILE_C" "$CLUSTER_TOOLS_PROPS" "$CLUSTER_NODES_FILE"
  fi
  return 0
}

cluster_status() {
  ((${#REST[@]} == 0)) || die "status --nodes: unknown option '${REST[0]}'"
  local i up=0 state
  for ((i = 1; i <= NODES; i++)); do
    state="$(node_state "$i")"
    say "node $i: $state$( [[ $state != down ]] && echo " (pid $(node_pid "$i"))") at $HOST:$(node_port "$i")"
    [[ "$state" == running ]] && up=$((up + 1))
  done
  ((up > 0)) || { say "no node of the cluster is running"; return 1; }
  ((up == NODES)) || say "warning: $((NODES - up)) of $NODES nodes are not running"
  cluster_bootstrap
}

# cmd_node I VERB: per-node control for failure tests.
cmd_node() {
  (($# == 2)) || die "node: usage: node I kill|pause|resume|restart|status|logs"
  local i="$1" verb="$2" pid
  cluster_recorded_nodes
  if ! [[ "$i" =~ ^[0-9]+$ ]] || ((i < 1 || i > NODES)); then die "node $i: this cluster has nodes 1 to $NODES"; fi
  case "$verb" in
    kill)
      pid="$(node_pid "$i")" || die "node $i is not running"
      node_kill "$i"
      say "node $i (pid $pid) killed (SIGKILL)" ;;
    pause)
      pid="$(node_pid "$i")" || die "node $i is not running"
      kill -STOP "$pid"
      say "node $i (pid $pid) paused (SIGSTOP)" ;;
    resume)
      pid="$(node_pid "$i")" || die "node $i is not running"
      kill -CONT "$pid"
      say "node $i (pid $pid) resumed (SIGCONT)" ;;
    restart)
      need_java
      local start=$SECONDS
      node_stop "$i"
      node_properties "$i" >"$(node_props "$i")"
      node_start "$i"
      cluster_wait_ready "$i"
      say "node $i is back: the cluster reports it registered and unfenced (in $((SECONDS - start))s)" ;;
    status)
      local state; state="$(node_state "$i")"
      echo "$state"
      [[ "$state" != down ]] ;;
    logs) tail -n 200 "$(node_log "$i")" ;;
    *) die "node: unknown command '$verb' (kill, pause, resume, restart, status, logs)" ;;
  esac
}
