# Shared by sidecar_*.sh (sourced): temp dir, e2e-lib.sh (check/refuse, free ports), the test store
# and starting `portcullis sidecar`. Everything binds to 127.0.0.1; cleanup() stops what we started.
tmp=$(mktemp -d /tmp/portcullis-sidecar.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$tmp"
}
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/e2e-lib.sh"  # check, refuse, free_port, passwords

# write_store FILE PARTNER_ACTIONS: alice may do anything on demo/*; bob may pull demo/* except
# repositories tagged classification=restricted (aws:ResourceTag, R140) and never from
# 203.0.113.0/24 (aws:SourceIp); carol (account 444455556666) may pull anything by identity and
# reaches demo/app only through its repository policy (R116), which lets her account do
# PARTNER_ACTIONS (a JSON list body).
write_store() {
  cat >"$1.new" <<JSON
{"accounts": [{"id": "111122223333"}, {"id": "444455556666"}],
 "principals": [
  {"arn": "arn:aws:iam::111122223333:user/alice", "inlinePolicies": [{"name": "push", "policy":
   {"Version": "2012-10-17", "Statement": [{"Sid": "PushPull", "Effect": "Allow", "Action": "ecr:*",
    "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/demo/*"}]}}]},
  {"arn": "arn:aws:iam::111122223333:user/bob", "inlinePolicies": [{"name": "pull", "policy":
   {"Version": "2012-10-17", "Statement": [
    {"Sid": "Pull", "Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
     "ecr:BatchCheckLayerAvailability"], "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/demo/*"},
    {"Sid": "DenyRestricted", "Effect": "Deny", "Action": "ecr:*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:ResourceTag/classification": "restricted"}}},
    {"Sid": "DenyTestNet", "Effect": "Deny", "Action": "ecr:*", "Resource": "*",
     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}}]},
  {"arn": "arn:aws:iam::444455556666:user/carol", "inlinePolicies": [{"name": "pull", "policy":
   {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], "Resource": "*"}]}}]}],
 "repositories": [
  {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/demo/app", "tags": {"classification": "internal"},
   "policy": {"Version": "2012-10-17", "Statement": [{"Sid": "PartnerPull", "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": [$2]}]}},
  {"arn": "arn:aws:ecr:us-east-1:111122223333:repository/demo/restricted",
   "tags": {"classification": "restricted"}}]}
JSON
  mv "$1.new" "$1"  # atomic: the file watcher never sees half a file
}
pull_actions='"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"'

# start_sidecar LOG ARGS...: starts it in the background, sets sidecar_port.
start_sidecar() {
  local log=$1; shift
  # Sanitizer builds: no free-memory quarantine, so the flood's RSS bound measures the sidecar.
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0 \
    "$portcullis" sidecar --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  pids+=($!)
  local pid=$!
  for _ in $(seq 100); do
    grep -q "sidecar listening on" "$log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  sidecar_port=$(sed -n '1s/^portcullis: sidecar listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
  if [[ -z $sidecar_port ]]; then
    echo "FAIL sidecar did not start"; cat "$log"; exit 1
  fi
}

