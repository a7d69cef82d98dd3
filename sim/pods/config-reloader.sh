#!/bin/sh
# config-reloader.sh [flags]: what the JetStream pod's reloader container does, run by the bed in
# the reloader container's place (its mounts, user and environment) with the container's rendered
# arguments. A model of nats-server-config-reloader v0.22.4 (the image the component renders),
# read from nats-io/nack:
#
# - cmd/nats-server-config-reloader/main.go: flags -P/-pid (default /var/run/nats/nats.pid),
#   -c/-config (repeated; default /etc/nats-config/nats.conf), -signal (default 1, SIGHUP),
#   -max-retries (30), -retry-wait-secs (4); an unknown flag exits 2 (flag.ExitOnError);
#   SIGTERM stops it (exit 0).
# - pkg/natsreloader/natsreloader.go `waitForProcess`: reads the pid file, which must hold exactly
#   a number (strconv.Atoi, no newline), and checks the process with signal 0; retries every
#   retry-wait-secs, gives up after max-retries.
# - `init` / `getServerFiles`: every watched file ending in .conf adds the files it includes
#   (`include` lines, relative to its directory, recursively) and the files named by
#   `cert_file`/`key_file`/`ca_file` lines; a named file that does not exist is an error (exit 1);
#   the digests (sha256) of all watched files are taken up front.
# - `Run` / `handleEvent` / `handleDeletedFiles`: the kubelet's AtomicWriter swap removes the old
#   payload directory, so each watched file (watched through its symlink) reports Remove; a ticker
#   re-adds the removed files every second and compares their digests; a changed digest sends the
#   signal once for the batch (`reload`: waitForProcess again, then signal the pid it read).
#   This model polls every second instead of using inotify, which gives the same result for
#   AtomicWriter updates: a content change is signalled about a second after the swap, an
#   unchanged file is not, a file that is briefly missing is waited for.
# Log lines follow the upstream wording, so tests can count the reloads ("Sending pid").
set -u

pid_file=/var/run/nats/nats.pid
nl='
'
watched=""
max_retries=30
retry_wait=4
sig=1
while [ $# -gt 0 ]; do
  arg=$1
  shift
  case $arg in --?*) arg=${arg#-} ;; esac
  case $arg in
    -*=*) name=${arg%%=*}; value=${arg#*=}; has_value=1 ;;
    *) name=$arg; value=""; has_value=0 ;;
  esac
  case $name in
    -P | -pid | -c | -config | -max-retries | -retry-wait-secs | -signal | -poll-interval | -max-watcher-retries)
      if [ "$has_value" = 0 ]; then
        [ $# -gt 0 ] || { echo "flag needs an argument: $name" >&2; exit 2; }
        value=$1
        shift
      fi
      ;;
  esac
  case $name in
    -P | -pid) pid_file=$value ;;
    -c | -config) watched="$watched$value$nl" ;;
    -max-retries) max_retries=$value ;;
    -retry-wait-secs) retry_wait=$value ;;
    -signal) sig=$value ;;
    -force-poll | -poll-interval | -max-watcher-retries) ;; # this model always polls every second
    -h | -help | -v | -version) exit 0 ;;
    -*) echo "flag provided but not defined: $name" >&2; exit 2 ;;
    *) break ;; # flag parsing stops at the first non-flag argument
  esac
done
[ -n "$watched" ] || watched="/etc/nats-config/nats.conf$nl"
if [ "$sig" = 1 ]; then sig_name=hangup; else sig_name="signal $sig"; fi

trap 'echo "Shutting down..."; exit 0' TERM

pid=""
# waitForProcess: sets $pid to the live process the pid file names; returns 1 after max_retries.
wait_for_process() {
  attempts=0
  while :; do
    pid=$(cat "$pid_file" 2>/dev/null) || pid=""
    size=$(wc -c <"$pid_file" 2>/dev/null) || size=-1
    case $pid in
      '' | *[!0-9]*) ;;
      *) [ "$size" = "${#pid}" ] && kill -0 "$pid" 2>/dev/null && break ;;
    esac
    echo "Error while monitoring pid ${pid:-0}: cannot read a live pid from $pid_file"
    attempts=$((attempts + 1))
    if [ "$attempts" -gt "$max_retries" ]; then
      echo "too many errors attempting to find server process" >&2
      return 1
    fi
    sleep "$retry_wait"
  done
  [ "$attempts" = 0 ] || echo "Found pid from pidfile \"$pid_file\" after $attempts failed attempts"
}

# filepath.Clean/Abs: lexical, relative to the working directory, symlinks not resolved.
clean() { realpath -ms -- "$1"; }

# The `include` targets of a config file, one per line, as getIncludePaths' regex reads them.
includes_of() {
  sed -n "s/^[[:space:]]*include[[:space:]]\{1,\}\(['\"]\{0,1\}[^'\";]*\).*/\1/p" "$1"
}

# The cert_file/key_file/ca_file values of a config file, as getCertPaths' regex reads them.
certs_of() {
  sed -n "s/^[[:space:]]*\(cert_file\|key_file\|ca_file\)[[:space:]]*:[[:space:]]*\(['\"]\{0,1\}[^'\";]*\).*/\2/p" "$1"
}

strip_quote() {
  v=${1#\'}
  printf '%s\n' "${v#\"}"
}

# The paths the lines $1 name: quotes stripped, `$VAR` values skipped, relative ones taken against
# the directory $2 (empty: the working directory); one that does not exist is an error (exit 1).
named_paths() {
  printf '%s\n' "$1" | while IFS= read -r m; do
    [ -n "$m" ] || continue
    case $m in '$'*) continue ;; esac
    p=$(clean "${2:+$2/}$(strip_quote "$m")")
    [ -e "$p" ] || { echo "Error: $p does not exist" >&2; exit 1; }
    printf '%s\n' "$p"
  done
}

wait_for_process || exit 1

# init: the given files, plus includes (recursively) and certificates of every .conf among them.
all=""
for f in $(printf '%s' "$watched" | tr '\n' ' '); do
  all="$all$(clean "$f")$nl"
  case $f in *.conf) ;; *) continue ;; esac
  queue="$(clean "$f")$nl"
  seen=""
  while [ -n "$queue" ]; do
    conf=${queue%%"$nl"*}
    queue=${queue#*"$nl"}
    case $seen in *"$nl$conf$nl"* | "$conf$nl"*) continue ;; esac
    seen="$seen$conf$nl"
    [ -r "$conf" ] || { echo "Error: open $conf: no such file or directory" >&2; exit 1; }
    all="$all$conf$nl"
    dir=${conf%/*}
    # Include paths in a NATS config are relative to the file's directory.
    incs=$(named_paths "$(includes_of "$conf")" "$dir") || exit 1
    [ -z "$incs" ] || queue="$queue$incs$nl"
  done
  for conf in $(printf '%s' "$seen" | tr '\n' ' '); do
    # Certificate paths are made absolute against the working directory (filepath.Abs).
    crts=$(named_paths "$(certs_of "$conf")" "") || exit 1
    [ -z "$crts" ] || all="$all$crts$nl"
  done
done
files=$(printf '%s' "$all" | sort -u)

digest() { sha256sum <"$1" 2>/dev/null | cut -d' ' -f1; }

digests=""
count=0
for f in $files; do
  d=$(digest "$f")
  [ -n "$d" ] || { echo "Error: open $f: no such file or directory" >&2; exit 1; }
  digests="$digests$f $d$nl"
  count=$((count + 1))
  echo "Watching file: $f"
done
echo "Live, ready to kick pid $pid on config changes (files=$count)"

while :; do
  sleep 1
  updated=""
  next=""
  for f in $files; do
    old=$(printf '%s' "$digests" | sed -n "s|^$f ||p")
    d=$(digest "$f")
    # A file missing for a moment (between the swap and the new payload) is waited for.
    [ -n "$d" ] || d=$old
    if [ "$d" != "$old" ]; then
      echo "Changed config; file=\"$f\""
      updated="$updated $f"
    fi
    next="$next$f $d$nl"
  done
  digests=$next
  [ -n "$updated" ] || continue
  attempts=0
  while :; do
    if wait_for_process; then
      echo "Sending pid $pid '$sig_name' signal to reload changes from: [${updated# }]"
      kill -"$sig" "$pid" && break
    fi
    attempts=$((attempts + 1))
    if [ "$attempts" -gt "$max_retries" ]; then
      echo "Error: too many errors ($attempts) attempting to signal server to reload" >&2
      exit 1
    fi
    sleep "$retry_wait"
  done
done
