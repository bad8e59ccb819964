#!/usr/bin/env node
// Writes corpus/decisions/smoke.jsonl from the oracle's hand-written smoke cases
// (<oracle>/cases/smoke.jsonl + smoke.expected.jsonl; written by the project's CEO session).
// Each line keeps the case as is and adds:
//   "expected": the case's own awsExpected when non-null, else the oracle's answer
//               (single-valued-operator-on-multivalued-key: ImplicitDeny per R66),
//   "oracle":   the oracle's recorded answer ("error" when it reports an error),
//   "divergence": "R<n>: why" where expected != oracle.
//
//   node tools/casegen/smoke.mjs [--oracle /tmp/oracle] [--out corpus/decisions/smoke.jsonl]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerOf, oracleInfo } from './lib/run-oracle.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const ORACLE = opt('--oracle', process.env.ORACLE_DIR ?? '/tmp/oracle');
const OUT = opt('--out', 'corpus/decisions/smoke.jsonl');
const { dir } = oracleInfo(ORACLE);

const readJsonl = (p) => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() && !/^\s*(#|\/\/)/.test(l)).map((l) => JSON.parse(l));
const cases = readJsonl(join(dir, 'cases/smoke.jsonl'));
const answers = new Map(readJsonl(join(dir, 'cases/smoke.expected.jsonl')).map((o) => [o.id, o]));

// why the spec (policy-semantics.md) and iam-simulate 0.1.173 disagree on these cases
const WHY = {
  'notprincipal-deny-unlisted-user':
    'R58: iam-simulate treats the listed account ARN as exempting every principal of that account; under layered NotPrincipal an unlisted user of the account is denied',
  'notprincipal-deny-user-without-account':
    'R58: iam-simulate exempts a user listed without its account ARN; the spec requires every identity layer (account + user) to be listed',
  'date-epoch-policy-vs-iso-request':
    'R82: iam-simulate compares epoch seconds (policy) with ISO milliseconds (request); the spec compares both as instants',
  'var-username-version-2008':
    'R10: iam-simulate substitutes ${aws:username} in a 2008-10-17 policy; there it is literal text',
  'var-unresolved-in-negated-deny':
    'R101: an unresolved variable in a negated operator counts as not-equal, so the Deny applies; iam-simulate ignores the statement'
};
// awsExpected null (undocumented AWS behaviour): the spec decides
const SPEC_DECIDES = { 'single-valued-operator-on-multivalued-key': 'ImplicitDeny' }; // R66

// The rules each smoke case exercises (docs/policy-semantics.md), by id pattern; first match wins.
const RULES = [
  [/^same-acct-resource-only-account/, ['R115.3', 'R120']],
  [/^same-acct-resource-account-principal/, ['R115.2', 'R120']],
  [/^same-acct-resource/, ['R115.1', 'R124']],
  [/^same-acct/, ['R115.2']],
  [/^deny-in-scp/, ['R110', 'R122']],
  [/^deny-in/, ['R110', 'R122']],
  [/^pb-bypass/, ['R115.1', 'R119']],
  [/^pb-resource-policy-names-role/, ['R115.1', 'R119', 'R55']],
  [/^pb-/, ['R119']],
  [/^scp-/, ['R112']],
  [/^cross-acct-star/, ['R116', 'R52']],
  [/^cross-acct/, ['R116', 'R120']],
  [/^notaction/, ['R39']],
  [/^notresource/, ['R49']],
  [/^notprincipal-deny-with-pb/, ['R59']],
  [/^notprincipal/, ['R58']],
  [/^action-/, ['R36', 'R37', 'R38']],
  [/^resource-/, ['R45', 'R46']],
  [/^(stringlike|arnlike)-principalarn/, ['R90', 'R105', 'R125']],
  [/^stringequals|^condition-key-name/, ['R62', 'R75']],
  [/^multi-key/, ['R64', 'R65']],
  [/^numeric/, ['R78']],
  [/^for(anyvalue|allvalues)/, ['R70', 'R71']],
  [/^single-valued-operator/, ['R66']],
  [/^ifexists/, ['R68']],
  [/^null-/, ['R69']],
  [/^negated-operator/, ['R67']],
  [/^(not)?ipaddress/, ['R86', 'R88']],
  [/^date/, ['R80', 'R82']],
  [/^bool/, ['R83', 'R84']],
  [/^var-username-version-2008/, ['R10']],
  [/^var-unresolved/, ['R101']],
  [/^var-|^derive-context/, ['R97', 'R100', 'R101', 'R105']],
  [/^role-session/, ['R55']],
  [/^wildcard-only/, ['R50', 'R117']],
  [/^ignored-context-key/, ['R95']],
  [/^error-unknown-action/, ['R40']],
  [/^error-principal-in-identity/, ['R24']],
  [/^error-resource-not-valid/, ['R43']],
  [/^error-bad-context/, ['R60']],
];
const rulesFor = (id) => {
  const hit = RULES.find(([re]) => re.test(id));
  if (!hit) throw new Error(`no rules listed for smoke case ${id}`);
  return hit[1];
};

let problems = 0;
const lines = cases.map((c) => {
  const o = answers.get(c.id);
  if (!o) throw new Error(`no recorded oracle answer for ${c.id}`);
  const oracle = answerOf(o);
  const expected = c.awsExpected ?? SPEC_DECIDES[c.id] ?? oracle;
  const line = { id: c.id, rules: rulesFor(c.id), ...c, expected, oracle };
  if (expected !== oracle) {
    if (!WHY[c.id]) {
      console.error(`${c.id}: expected ${expected} != oracle ${oracle} and no divergence reason known`);
      problems++;
    }
    line.divergence = WHY[c.id] ?? 'unexplained';
  }
  return JSON.stringify(line);
});
writeFileSync(OUT, lines.join('\n') + '\n');
console.error(`wrote ${lines.length} smoke cases to ${OUT}; ${lines.filter((l) => l.includes('"divergence"')).length} with a divergence; ${problems} problem(s)`);
process.exitCode = problems ? 1 : 0;
