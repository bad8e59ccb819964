#!/usr/bin/env node
// Validates corpus/decisions/*.jsonl: JSON per line, unique ids across files, required fields,
// divergence <=> expected != oracle. With --oracle DIR it also re-runs the oracle and checks that
// every "oracle" field is reproduced and that no case has ignoredContextKeys (smoke excepted).
//
//   node tools/casegen/validate.mjs [--oracle /tmp/oracle] [files...]
import { readFileSync } from 'node:fs';
import { runOracle, answerOf } from './lib/run-oracle.mjs';

const args = process.argv.slice(2);
const oi = args.indexOf('--oracle');
const ORACLE = oi >= 0 ? args[oi + 1] : null;
const files = args.filter((a, i) => !a.startsWith('--') && i !== oi + 1);
if (files.length === 0) files.push('corpus/decisions/worked.jsonl', 'corpus/decisions/smoke.jsonl', 'corpus/decisions/generated.jsonl');

const ANSWERS = new Set(['Allow', 'ExplicitDeny', 'ImplicitDeny', 'error']);
const ids = new Map();
let bad = 0;
const fail = (m) => {
  console.error(m);
  bad++;
};
const all = [];
for (const f of files) {
  const lines = readFileSync(f, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const mix = {};
  lines.forEach((l, i) => {
    let c;
    try {
      c = JSON.parse(l);
    } catch (e) {
      return fail(`${f}:${i + 1}: bad JSON: ${e.message}`);
    }
    const where = `${f}:${i + 1} (${c.id})`;
    if (c.id === undefined || c.id === null) fail(`${where}: no id`);
    if (ids.has(c.id)) fail(`${where}: duplicate id (also ${ids.get(c.id)})`);
    ids.set(c.id, where);
    if (!c.request || typeof c.request.principal !== 'string' || typeof c.request.action !== 'string' || typeof c.request.resource !== 'string') fail(`${where}: bad request`);
    if (!ANSWERS.has(c.expected)) fail(`${where}: bad expected ${c.expected}`);
    if (!ANSWERS.has(c.oracle)) fail(`${where}: bad oracle ${c.oracle}`);
    if ((c.expected !== c.oracle) !== (typeof c.divergence === 'string')) fail(`${where}: divergence field must be present exactly when expected != oracle`);
    if (c.divergence !== undefined && !/^R\d+/.test(c.divergence)) fail(`${where}: divergence must start with R<n>`);
    if (c.rules !== undefined && !(Array.isArray(c.rules) && c.rules.length && c.rules.every((r) => /^R\d+(\.\d+)?$/.test(r)))) fail(`${where}: bad rules`);
    if (!f.includes('smoke') && c.rules === undefined) fail(`${where}: no rules`);
    if (c.resourcePolicy && JSON.stringify(c.resourcePolicy.Statement ?? []).match(/"(Not)?Resource"/)) fail(`${where}: resource policy with Resource/NotResource (R24)`);
    mix[c.expected] = (mix[c.expected] ?? 0) + 1;
    all.push({ f, c });
  });
  console.log(`${f}: ${lines.length} cases ${JSON.stringify(mix)}`);
}
if (ORACLE) {
  const out = runOracle(ORACLE, all.map((x) => x.c));
  out.forEach((o, i) => {
    const { f, c } = all[i];
    if (answerOf(o) !== c.oracle) fail(`${f} ${c.id}: oracle now answers ${answerOf(o)}, file says ${c.oracle}`);
    if (o.ignoredContextKeys && !f.includes('smoke')) fail(`${f} ${c.id}: oracle ignored context keys ${o.ignoredContextKeys}`);
  });
  console.log(`re-ran the oracle on ${all.length} cases`);
}
console.log(`${ids.size} unique ids; ${bad} problem(s)`);
process.exitCode = bad ? 1 : 0;
