#!/usr/bin/env bash
# CLI tests of `portcullis lint` (docs/lint.md): exit codes, the three formats, and bad input —
# missing and unreadable paths, binary files, non-JSON, a 10 MB file, a directory of thousands of
# files, a symlink loop — each reported while the run goes on.
#
# Usage: lint_cli_test.sh /path/to/portcullis
set -u
PORTCULLIS=${1:?usage: lint_cli_test.sh /path/to/portcullis}
WORK=$(mktemp -d)
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
FAILURES=0

fail() {
  echo "FAIL: $*" >&2
  FAILURES=$((FAILURES + 1))
}

# run EXPECTED_STATUS ARGS... : runs portcullis lint, keeps stdout/stderr in $OUT/$ERR.
run() {
  local expected=$1
  shift
  "$PORTCULLIS" lint "$@" >"$WORK/out" 2>"$WORK/err"
  STATUS=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
  if [[ $STATUS -ne $expected ]]; then
    fail "lint $* exited $STATUS, expected $expected; stdout: ${OUT:0:400} stderr: ${ERR:0:400}"
  fi
}

contains() {  # contains HAYSTACK NEEDLE WHAT
  [[ "$1" == *"$2"* ]] || fail "$3: missing \`$2\` in: ${1:0:600}"
}

cat >"$WORK/clean.json" <<'EOF'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
EOF
cat >"$WORK/warning.json" <<'EOF'
{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
EOF
cat >"$WORK/error.json" <<'EOF'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]}
EOF
cat >"$WORK/repo.json" <<'EOF'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]}
EOF

# Exit codes and --fail-on.
run 0 "$WORK/clean.json"
contains "$ERR" "1 file: no findings" "summary"
run 0 "$WORK/warning.json"
contains "$OUT" "warning.json:1:1: warning: the policy has no \`Version\`" "text format"
contains "$OUT" "[MISSING_VERSION]" "code in text"
contains "$OUT" "  hint: add" "hint line"
run 1 --fail-on warning "$WORK/warning.json"
run 1 "$WORK/error.json"
contains "$OUT" "error.json:2:27: error: \`Effect\` must be" "parser error as finding"
run 0 --ignore INVALID_EFFECT "$WORK/error.json"
run 0 --fail-on warning --ignore MISSING_VERSION,INVALID_EFFECT "$WORK/warning.json" "$WORK/error.json"
run 1 --fail-on security-warning --policy-type repository "$WORK/repo.json"
contains "$OUT" "any authenticated principal in any account" "R186 message"
run 0 --policy-type repository "$WORK/repo.json"

# Checks against the service reference (arn_checks.cc, key_checks.cc): a placeholder region is an
# ERROR, a PassRole on "*" a security warning, both at the offending value.
cat >"$WORK/arn.json" <<'EOF'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ecr:BatchGetImage", "iam:PassRole"],
 "Resource": ["arn:aws:ecr:region:111122223333:repository/app", "*"]}]}
EOF
run 1 "$WORK/arn.json"
contains "$OUT" "arn.json:2:15: error: region \`region\`" "INVALID_ARN_REGION located"
contains "$OUT" "[INVALID_ARN_REGION]" "INVALID_ARN_REGION code"
contains "$OUT" "security-warning: \`iam:PassRole\` on \`*\`" "PassRole message"
run 0 --ignore INVALID_ARN_REGION "$WORK/arn.json"
run 1 --fail-on security-warning --ignore INVALID_ARN_REGION "$WORK/arn.json"

# ECR lifecycle policies (R168–R174) and registry policy scope V1 (R189).
cat >"$WORK/lifecycle.json" <<'EOF'
{"rules": [
  {"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}},
  {"rulePriority": 1, "selection": {"tagStatus": "tagged", "tagPrefixList": ["dev"], "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}}]}
EOF
run 1 --policy-type lifecycle "$WORK/lifecycle.json"
contains "$OUT" "[ECR_LIFECYCLE_DUPLICATE_PRIORITY]" "lifecycle duplicate priority"
sed -i 's/"rulePriority": 1, "selection": {"tagStatus": "tagged"/"rulePriority": 2, "selection": {"tagStatus": "tagged"/' "$WORK/lifecycle.json"
run 0 --policy-type lifecycle "$WORK/lifecycle.json"
cat >"$WORK/registry.json" <<'EOF'
{"Version": "2012-10-17", "Statement": [{"Sid": "Replication", "Effect": "Allow",
 "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["ecr:ReplicateImage", "ecr:BatchGetImage"],
 "Resource": ["arn:aws:ecr:us-west-2:444455556666:repository/*"]}]}
EOF
run 1 --policy-type registry --registry-scope v1 "$WORK/registry.json"
contains "$OUT" "[ECR_REGISTRY_POLICY_SCOPE_V1]" "registry scope v1"
run 0 --policy-type registry "$WORK/registry.json"
run 2 --registry-scope v3 "$WORK/registry.json"

# A policy store as an inventory (R192): bob may pull but cannot log in.
cat >"$WORK/store.json" <<'EOF'
{"accounts": [{"id": "111122223333"}],
 "principals": [{"arn": "arn:aws:iam::111122223333:user/bob", "inlinePolicies": [{"name": "p",
   "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}]}}]}],
 "repositories": [{"arn": "arn:aws:ecr:us-east-1:111122223333:repository/app"}]}
EOF
run 1 --policy-type inventory --fail-on warning "$WORK/store.json"
contains "$OUT" "store.json:2:25: warning:" "inventory finding located at the principal"
contains "$OUT" "[ECR_MISSING_AUTH_TOKEN]" "inventory code"
run 0 --policy-type inventory "$WORK/store.json"

# Usage errors exit 2.
run 2 --format xml "$WORK/clean.json"
run 2 --policy-type trust "$WORK/clean.json"
run 2 --account 12345 "$WORK/clean.json"
run 2

# Standard input.
"$PORTCULLIS" lint - <"$WORK/warning.json" >"$WORK/out" 2>"$WORK/err"
[[ $? -eq 0 ]] || fail "stdin exit status"
contains "$(cat "$WORK/out")" "<stdin>:1:1: warning:" "stdin path"

# JSON and SARIF are valid JSON with the documented shape.
if command -v python3 >/dev/null; then
  run 2 --format json "$WORK/clean.json" "$WORK/error.json" "$WORK/missing.json"
  echo "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [f["path"].rsplit("/", 1)[-1] for f in d["files"]] == ["clean.json", "error.json", "missing.json"]
f = d["files"][1]["findings"][0]
assert f["code"] == "INVALID_EFFECT" and f["severity"] == "ERROR" and f["line"] == 2, f
assert d["files"][2]["error"]
assert d["summary"]["errors"] == 1 and d["summary"]["unreadable"] == 1, d["summary"]
' || fail "json format"
  run 2 --format sarif "$WORK/error.json" "$WORK/missing.json"
  echo "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["version"] == "2.1.0"
run = d["runs"][0]
ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
assert len(ids) == len(set(ids))
res = run["results"][0]
assert res["ruleId"] == "INVALID_EFFECT" and res["level"] == "error"
assert ids[res["ruleIndex"]] == "INVALID_EFFECT"
reg = res["locations"][0]["physicalLocation"]["region"]
assert reg["startLine"] == 2 and reg["startColumn"] == 27 and reg["endColumn"] == 34, reg
assert run["invocations"][0]["executionSuccessful"] is False
' || fail "sarif format"
fi

# Bad inputs: each reported, the run goes on, I/O problems make the status 2.
printf '\x7fELF\x02\x01\x01\x00\x00\x00binary' >"$WORK/binary.json"
echo 'this is not json' >"$WORK/text.json"
: >"$WORK/empty.json"
echo '[1, 2, 3]' >"$WORK/array.json"
head -c 10485760 /dev/zero | tr '\0' ' ' >"$WORK/huge.json"
run 2 "$WORK/nope.json" "$WORK/binary.json" "$WORK/text.json" "$WORK/empty.json" \
  "$WORK/array.json" "$WORK/huge.json" "$WORK/clean.json"
contains "$ERR" "nope.json: error: no such file or directory [IO_ERROR]" "missing path"
contains "$OUT" "binary.json:1:8: error: input looks binary (NUL byte at offset 7)" "binary file"
contains "$OUT" "text.json:1:1: error:" "non-JSON"
contains "$OUT" "[JSON_SYNTAX_ERROR]" "non-JSON code"
contains "$OUT" "empty.json:1:1: error: input is empty" "empty file"
contains "$OUT" "array.json:1:1: error: a policy must be a JSON object" "JSON that is not a policy"
contains "$OUT" "huge.json:1:1: error: file is 10485760 bytes" "10 MB file"
contains "$ERR" "7 files: 1 unreadable" "summary counts every input"
"$PORTCULLIS" lint - <"$WORK/huge.json" >"$WORK/out" 2>"$WORK/err"
[[ $? -eq 1 ]] || fail "10 MB on stdin exit status"
contains "$(cat "$WORK/out")" "<stdin>:1:1: error: input is more than 1048576 bytes" "10 MB on stdin"

if [[ $(id -u) -ne 0 ]]; then  # root reads anything
  cp "$WORK/clean.json" "$WORK/locked.json"
  chmod 000 "$WORK/locked.json"
  run 2 "$WORK/locked.json" "$WORK/warning.json"
  contains "$ERR" "locked.json: error: cannot read" "unreadable file"
  contains "$OUT" "warning.json:1:1: warning:" "run goes on after an unreadable file"
fi

# A directory of thousands of files, nested, with non-JSON files and a symlink loop.
mkdir -p "$WORK/tree/a/b"
for i in $(seq 1 3000); do cp "$WORK/clean.json" "$WORK/tree/a/p$i.json"; done
cp "$WORK/error.json" "$WORK/tree/a/b/zz.json"
echo 'not a policy' >"$WORK/tree/a/readme.txt"
ln -s .. "$WORK/tree/a/b/loop"
START=$(date +%s)
run 1 "$WORK/tree"
contains "$ERR" "3001 files: 1 error" "directory walk"
contains "$OUT" "tree/a/b/zz.json:2:27: error:" "nested file"
(( $(date +%s) - START < 60 )) || fail "3001 files took over 60 s"

if [[ $FAILURES -ne 0 ]]; then
  echo "$FAILURES failure(s)" >&2
  exit 1
fi
echo "lint CLI tests passed"
