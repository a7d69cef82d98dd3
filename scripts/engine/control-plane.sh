#!/usr/bin/env bash
# A local Kubernetes control plane for the engine tests: etcd + kube-apiserver + kube-controller-manager,
# listening on 127.0.0.1 only, everything under one temporary folder. No kubelet, no scheduler: Pods
# created by the StatefulSet controller stay Pending, which is all the engine tests need.
#
#   scripts/engine/control-plane.sh up   DIR   # start; writes DIR/env (KUBECONFIG, API server URL,
#                                              # token, CA file) and DIR/kubeconfig; waits for /readyz
#   scripts/engine/control-plane.sh down DIR   # stop every process started by `up` (by PID), remove DIR
#
# Binaries: kube-apiserver and kube-controller-manager from .cache/engine/bin (scripts/engine/build.sh);
# etcd from $ETCD or PATH (Debian's etcd-server 3.4.23 serves kube-apiserver 1.34; see README).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${ENGINE_CACHE:-$root/.cache/engine}/bin"
cmd="${1:-}"; dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then echo "usage: $0 up|down DIR" >&2; exit 2; fi

stop() {
  # Stop in reverse order, each by the PID recorded when it was started; SIGTERM, then SIGKILL.
  for name in kube-controller-manager kube-apiserver etcd; do
    pidfile="$dir/$name.pid"
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

if [ "$cmd" = down ]; then
  [ -d "$dir" ] || exit 0
  stop
  rm -rf "$dir"
  exit 0
fi
[ "$cmd" = up ] || { echo "usage: $0 up|down DIR" >&2; exit 2; }

etcd_bin="${ETCD:-$(command -v etcd || true)}"
[ -x "$etcd_bin" ] || etcd_bin=/usr/bin/etcd
for b in "$bin/kube-apiserver" "$bin/kube-controller-manager" "$etcd_bin"; do
  [ -x "$b" ] || { echo "control-plane: missing $b (run scripts/engine/build.sh; apt-get install etcd-server)" >&2; exit 1; }
done

mkdir -p "$dir/pki" "$dir/etcd" "$dir/logs"
trap 'echo "control-plane: start failed, stopping" >&2; stop' ERR

# Free loopback ports, chosen by the kernel (bind to port 0) so that parallel runs do not collide.
read -r etcd_port peer_port api_port <<<"$(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
EOF
)"

# PKI: a CA, the API server's serving certificate for 127.0.0.1/localhost, the service account key pair.
pki="$dir/pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=engine-test-ca" \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
  -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' > "$pki/ext.cnf"
openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
  -days 2 -extfile "$pki/ext.cnf" -out "$pki/apiserver.crt" 2>/dev/null
openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
token="$(openssl rand -hex 24)"
# Static token: one admin in system:masters (used by the tests and by the controller manager).
printf '%s,admin,admin,system:masters\n' "$token" > "$pki/tokens.csv"

start() { # name, then the command; output to DIR/logs/<name>.log, PID to DIR/<name>.pid
  local name="$1"; shift
  nice -n 10 "$@" > "$dir/logs/$name.log" 2>&1 &
  echo $! > "$dir/$name.pid"
}

start etcd "$etcd_bin" --name engine-test --data-dir "$dir/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "engine-test=http://127.0.0.1:$peer_port" \
  --listen-metrics-urls "" --log-level warn

# Admission: the defaults of kube-apiserver 1.34 (among them NamespaceLifecycle, LimitRanger,
# ServiceAccount, DefaultStorageClass, ResourceQuota, PodSecurity, Priority, StorageObjectInUseProtection,
# MutatingAdmissionWebhook, ValidatingAdmissionPolicy, ValidatingAdmissionWebhook; upstream
# pkg/kubeapiserver/options/plugins.go `DefaultOffAdmissionPlugins`) plus NodeRestriction, as kubeadm
# enables it. PodSecurity is on by default and enforces the namespace labels (the tests label their
# namespace `pod-security.kubernetes.io/enforce: restricted`).
# --endpoint-reconciler-type=none: the `kubernetes` Service's endpoints would be 127.0.0.1, which
# endpoint validation refuses (loopback).
# --allow-privileged=true, as kubeadm and managed clusters set it (the default, false, makes
# validation refuse `privileged: true` with "disallowed by cluster policy"); PodSecurity decides.
start kube-apiserver "$bin/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" --token-auth-file "$pki/tokens.csv" \
  --authorization-mode Node,RBAC \
  --enable-admission-plugins NodeRestriction,PodSecurity \
  --allow-privileged=true \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-cluster-ip-range 10.96.0.0/16 \
  --endpoint-reconciler-type none \
  --profiling=false --v 1

cat > "$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: engine-test
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority: $pki/ca.crt
users:
- name: admin
  user:
    token: $token
contexts:
- name: engine-test
  context: {cluster: engine-test, user: admin}
current-context: engine-test
EOF

ready=""
for _ in $(seq 1 240); do
  if curl -sf --cacert "$pki/ca.crt" -H "Authorization: Bearer $token" "https://127.0.0.1:$api_port/readyz" >/dev/null 2>&1; then
    ready=1; break
  fi
  kill -0 "$(cat "$dir/kube-apiserver.pid")" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "control-plane: kube-apiserver not ready; last log lines:" >&2
  tail -20 "$dir/logs/kube-apiserver.log" >&2
  tail -5 "$dir/logs/etcd.log" >&2
  false
fi

# The controller manager: the StatefulSet controller creates Pods and PVCs; the namespace and garbage
# collector controllers clean up after deletes; the service account token controller needs the key.
start kube-controller-manager "$bin/kube-controller-manager" \
  --kubeconfig "$dir/kubeconfig" --authentication-kubeconfig "$dir/kubeconfig" \
  --authorization-kubeconfig "$dir/kubeconfig" \
  --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --use-service-account-credentials=false --controllers '*' --v 1

cat > "$dir/env" <<EOF
KUBECONFIG=$dir/kubeconfig
KUBE_API=https://127.0.0.1:$api_port
KUBE_TOKEN=$token
KUBE_CA=$pki/ca.crt
EOF
trap - ERR
echo "control-plane: up at https://127.0.0.1:$api_port (etcd 127.0.0.1:$etcd_port), state in $dir"
