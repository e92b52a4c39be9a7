#!/bin/sh
# Prints the TF_CONFIG of one pod of a StatefulSet of vaekit workers, built from the pod's ordinal:
#
#   TF_CONFIG="$(sh tf-config-from-ordinal.sh)" && export TF_CONFIG
#
# A StatefulSet cannot give each pod its own environment, but it does give each a stable name
# (<set>-<ordinal>) and, behind a headless Service, a stable DNS name; that is all TF_CONFIG needs.
# Every worker is a "worker" task: worker 0 (the pod with ordinal 0) is rank 0, the chief, which alone
# writes the run folder.
#
# Environment:
#   POD_NAME             this pod's name, <set>-<ordinal> (default: the host name, which a StatefulSet
#                        sets to the pod's name)
#   VAEKIT_WORKERS       the StatefulSet's replicas: how many workers the cluster has
#   VAEKIT_SERVICE       the headless Service named in the StatefulSet's serviceName
#   POD_NAMESPACE        the namespace of the pods
#   VAEKIT_PORT          the port every worker's gRPC server listens on (default 2222)
#   VAEKIT_CLUSTER_DOMAIN  the cluster's DNS domain (default cluster.local)
#
# On bad input it prints one line to stderr saying what is wrong and exits 1, so that a pod never starts a
# worker with a TF_CONFIG that would make it wait for peers that do not exist.
set -eu

me=tf-config-from-ordinal.sh

fail() {
  echo "$me: $*" >&2
  exit 1
}

# A DNS label (RFC 1123), which the set, Service and namespace names all must be.
is_label() {
  case $1 in
    '' | -* | *- | *[!a-z0-9-]*) return 1 ;;
  esac
  [ "${#1}" -le 63 ]
}

# A whole number without a sign or leading zeros, small enough for the shell's arithmetic.
is_count() {
  case $1 in
    '' | *[!0-9]* | 0?*) return 1 ;;
  esac
  [ "${#1}" -le 9 ]
}

pod=${POD_NAME:-$(uname -n)}
workers=${VAEKIT_WORKERS:-}
service=${VAEKIT_SERVICE:-}
namespace=${POD_NAMESPACE:-}
port=${VAEKIT_PORT:-2222}
domain=${VAEKIT_CLUSTER_DOMAIN:-cluster.local}

ordinal=${pod##*-}
set_name=${pod%-*}
if [ "$set_name" = "$pod" ] || ! is_count "$ordinal" || ! is_label "$set_name"; then
  fail "pod name '$pod' is not <statefulset>-<ordinal> (such as vaekit-0); set POD_NAME from metadata.name, or run this in a StatefulSet's pod"
fi
is_count "$workers" && [ "$workers" -ge 1 ] ||
  fail "VAEKIT_WORKERS is '$workers'; set it to the StatefulSet's replicas, a whole number from 1"
[ "$ordinal" -lt "$workers" ] ||
  fail "pod $pod has ordinal $ordinal, but VAEKIT_WORKERS is $workers (ordinals 0 to $((workers - 1))); keep VAEKIT_WORKERS equal to the StatefulSet's replicas"
is_label "$service" ||
  fail "VAEKIT_SERVICE is '$service'; set it to the headless Service named in the StatefulSet's serviceName"
is_label "$namespace" ||
  fail "POD_NAMESPACE is '$namespace'; set it from metadata.namespace"
is_count "$port" && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] ||
  fail "VAEKIT_PORT is '$port', not a port from 1 to 65535"
case $domain in
  '' | .* | *. | *..* | *[!a-z0-9.-]*) fail "VAEKIT_CLUSTER_DOMAIN is '$domain', not a DNS domain such as cluster.local" ;;
esac

addresses=
i=0
while [ "$i" -lt "$workers" ]; do
  addresses="$addresses${addresses:+,}\"$set_name-$i.$service.$namespace.svc.$domain:$port\""
  i=$((i + 1))
done
printf '{"cluster":{"worker":[%s]},"task":{"type":"worker","index":%s}}\n' "$addresses" "$ordinal"
