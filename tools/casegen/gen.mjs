#!/usr/bin/env node
// gen.mjs — seeded generator of conformance decision cases for the Portcullis IAM/ECR engine.
//
//   node tools/casegen/gen.mjs [--oracle /tmp/oracle] [--out corpus/decisions/generated.jsonl]
//                              [--seed 20240601] [--scale 1] [--stats] [--dump-dropped FILE] [--no-binary]
//
// 1. Each family below draws candidate cases from a deterministic PRNG (lib/prng.mjs).
// 2. All candidates are run through the oracle (iam-simulate, a separate process, ORACLE_DIR).
// 3. A candidate is dropped when the oracle errors (unless the family tests rejection), reports
//    ignoredContextKeys, or when the spec model (lib/model.mjs) flags a known divergence (R197)
//    or disagrees with the oracle (both are counted and printed).
// 4. Per family, cases are selected round-robin over the family's variants, steering the
//    global decision mix towards ~40 % Allow / 35 % ImplicitDeny / 25 % ExplicitDeny.
// 5. The oracle's answer is written to "expected" (and "oracle").
// Node >= 20, no dependencies beyond the standard library.
import { writeFileSync } from 'node:fs';
import { Rng, hashSeed } from './lib/prng.mjs';
import { runOracle, answerOf, oracleInfo } from './lib/run-oracle.mjs';
import { evaluate, BASE_OPERATORS } from './lib/model.mjs';
import * as W from './lib/world.mjs';

const { A, B, P, doc, allow, deny, rAllow, rDeny, rcpDeny, FULL, ECR_ALL, repoArn, rootArn, roleArn, sessArn, userArn, baseContext, mkCase } = W;

// ---------------------------------------------------------------- CLI
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const ORACLE = opt('--oracle', process.env.ORACLE_DIR ?? '/tmp/oracle');
const OUT = opt('--out', 'corpus/decisions/generated.jsonl');
const SEED = Number(opt('--seed', '20240601'));
const SCALE = Number(opt('--scale', '1'));
const STATS = argv.includes('--stats');
const DUMP_DROPPED = opt('--dump-dropped', null);
const NO_BINARY = argv.includes('--no-binary'); // drop the (decoding-independent) BinaryEquals cases
const MIX = { Allow: 0.4, ImplicitDeny: 0.35, ExplicitDeny: 0.25 };

// ---------------------------------------------------------------- small helpers
const uniq = (a) => [...new Set(a)];
const one = (a) => (a.length === 1 ? a[0] : a);
const resOf = (action, repo) => (W.isWildcardOnly(action) ? '*' : repoArn(repo.name, repo.account));
const ruleSort = (rs) => uniq(rs).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
function pickRepoAction(rng, { tagging = false, create = true } = {}) {
  const pool = tagging ? W.ALL_REPO_ACTIONS : W.REPO_ACTIONS;
  const a = rng.pick(pool);
  return !create && a === 'ecr:CreateRepository' ? 'ecr:TagResource' : a;
}
/** identity grant of the request (various equivalent shapes) */
function grantFor(rng, action, res) {
  return rng.weighted([
    [() => allow(action, res), 3],
    [() => allow('ecr:*', '*'), 3],
    [() => allow([action, rng.pick(W.REPO_ACTIONS)], res === '*' ? '*' : `arn:aws:ecr:us-east-1:${res.split(':')[4]}:repository/*`), 2],
    [() => allow('*', '*'), 1]
  ])();
}

// ================================================================= families
// Each family: { name, target, variants: [v...], gen(rng, v) -> { c, rules, note } | null }

// ---------------------------------------------------------------- condition keys (§3, §6.5)
const TIMES_REQ = ['2024-06-01T12:00:00Z', '2024-01-15T08:30:00Z', '2025-03-10T23:59:59Z', '2023-11-20T06:00:00Z'];
const likeify = (rng, v) => {
  if (v.length < 2) return v + '*';
  const i = rng.int(1, v.length - 1);
  return rng.chance(0.5) ? v.slice(0, i) + '*' : v.slice(0, i - 1) + '?' + v.slice(i);
};
const flipCase = (rng, v) => [...v].map((ch) => (rng.chance(0.5) ? ch.toUpperCase() : ch.toLowerCase())).join('');
// kind: string|numeric|date|epoch|bool|ip|arn|binary ; free = generator may set its request value ;
// optional = may be absent ; scope: 'any' | 'repo' (existing-repository actions only) | 'user' (bound to IAM users)
const KEYS = [
  { key: 'aws:PrincipalTag/team', kind: 'string', free: true, optional: true, req: ['core', 'a', 'b', 'platform', 'Core'] },
  { key: 'aws:PrincipalTag/cost-center', kind: 'string', free: true, optional: true, req: ['cc-100', 'cc-200', 'CC-100', 'cc-1000'] },
  { key: 'aws:ResourceTag/env', kind: 'string', free: true, optional: true, scope: 'repo', req: ['prod', 'dev', 'staging', 'Prod'] },
  { key: 'ecr:ResourceTag/team', kind: 'string', free: true, optional: true, scope: 'repo', req: ['core', 'a', 'b', 'platform'] },
  { key: 'aws:UserAgent', kind: 'string', free: true, optional: true, req: ['docker/24.0.5', 'containerd/1.7.2', 'aws-cli/2.15.0', 'Docker/24.0.5 go/1.21'] },
  { key: 'aws:PrincipalOrgID', kind: 'string', free: true, optional: true, req: ['o-aa11bb22cc', 'o-zz99yy88xx'] },
  { key: 'aws:SourceVpce', kind: 'string', free: true, optional: true, req: ['vpce-0a1b2c3d4e5f60718', 'vpce-11112222333344445'] },
  { key: 'aws:username', kind: 'string', free: false, optional: true, req: ['alice', 'carol', 'erin', 'admin', 'Alice'] },
  { key: 'aws:RequestedRegion', kind: 'string', free: false, optional: false, req: ['us-east-1', 'eu-west-1', 'US-EAST-1', 'us-west-2'] },
  { key: 'aws:PrincipalType', kind: 'string', free: false, optional: false, req: ['User', 'AssumedRole', 'user'] },
  { key: 'aws:MultiFactorAuthAge', kind: 'numeric', free: true, optional: true, req: ['0', '45', '900', '3600', '7200'], pol: ['900', '3600', '3600.0', '60', '7200', '900.5', '0', '+45'] },
  { key: 'aws:CurrentTime', kind: 'date', free: true, optional: false, req: TIMES_REQ,
    pol: ['2024-06-01T12:00:00Z', '2024-06-01T14:00:00+02:00', '2024-06-01', '2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z', '2023-12-31T23:59:59Z', '2024-01-15T08:30:00.000Z', '2024-01-15T08:30:00Z', '2025-03-10T23:59:59Z'] },
  { key: 'aws:TokenIssueTime', kind: 'date', free: true, optional: true, req: ['2024-06-01T11:00:00Z', '2024-06-01T00:00:00Z', '2023-11-20T05:00:00Z'],
    pol: ['2024-06-01T11:00:00Z', '2024-06-01', '2024-01-01T00:00:00Z', '2023-11-20T05:00:00Z', '2024-06-01T13:00:00+02:00'] },
  { key: 'aws:EpochTime', kind: 'epoch', free: true, optional: false, req: ['1717243200', '1705307400', '1741651199'], pol: ['1717243200', '1700000000', '1800000000', '1705307400'] },
  { key: 'aws:SecureTransport', kind: 'bool', free: true, optional: false, req: ['true', 'false'] },
  { key: 'aws:MultiFactorAuthPresent', kind: 'bool', free: true, optional: true, req: ['true', 'false'] },
  { key: 'aws:ViaAWSService', kind: 'bool', free: true, optional: false, req: ['false', 'true'] },
  { key: 'aws:SourceIp', kind: 'ip', free: true, optional: true,
    req: ['203.0.113.25', '203.0.113.200', '198.51.100.7', '10.0.12.34', '192.0.2.200', '2001:db8:1::25', '2001:db8:abcd:12::5', '2600:1f18::1'],
    pol: ['203.0.113.0/24', '203.0.113.77/24', '198.51.100.0/25', '10.0.0.0/8', '192.0.2.128/25', '2001:db8::/32', '2001:db8:abcd::/48', '2600:1f18::/32', '203.0.113.25/32', '172.16.0.0/12'] },
  { key: 'aws:PrincipalArn', kind: 'arn', free: false, optional: false,
    pol: [userArn('alice'), `arn:aws:iam::${A}:user/*`, roleArn('ci'), `arn:aws:iam::${A}:role/c*`, `arn:aws:iam::*:user/alice`, `arn:aws:iam::${A}:user/dev/*`, `arn:aws:iam::${A}:role/*`, `arn:aws:iam::${B}:*`, `arn:aws:iam::${A}:user/?rin`] },
  { key: 'aws:SourceArn', kind: 'arn', free: true, optional: true,
    req: [`arn:aws:codebuild:us-east-1:${A}:project/build-app`, `arn:aws:codebuild:us-east-1:${B}:project/build-app`, `arn:aws:lambda:us-east-1:${A}:function:deployer`, `arn:aws:codebuild:eu-west-1:${A}:project/nightly`],
    pol: [`arn:aws:codebuild:*:${A}:project/*`, `arn:aws:codebuild:us-east-1:${A}:project/build-*`, `arn:aws:lambda:us-east-1:${A}:function:*`, `arn:aws:codebuild:us-east-1:${A}:project/build-app`, `arn:aws:*:us-east-1:${A}:*`] },
  { key: 'aws:UserAgent', kind: 'binary', free: true, optional: true, req: ['docker/24.0.5', 'containerd/1.7.2'], pol: ['Y3VybC84LjQ=', 'cG9kbWFuLzQuNw==', 'c2tvcGVvLzEuMTQ='] }
];
const keysOfKind = (kind) => KEYS.filter((k) => k.kind === kind);

function opFamily(base) {
  if (base === 'Null') return 'null';
  if (base.startsWith('String')) return 'string';
  if (base.startsWith('Numeric')) return 'numeric';
  if (base.startsWith('Date')) return 'date';
  if (base === 'Bool') return 'bool';
  if (base === 'BinaryEquals') return 'binary';
  if (base.includes('IpAddress')) return 'ip';
  return 'arn';
}
const NEG = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'NumericNotEquals', 'DateNotEquals', 'NotIpAddress', 'ArnNotEquals', 'ArnNotLike']);
function opRules(base, { ifExists, qual, absent, multiValues }) {
  const r = [];
  const fam = opFamily(base);
  r.push({ string: 'R62', numeric: 'R78', date: 'R80', bool: 'R83', binary: 'R85', ip: 'R86', arn: 'R90', null: 'R69' }[fam]);
  if (base.includes('IgnoreCase')) r.push('R75');
  if (fam === 'ip') r.push('R87', 'R88');
  if (fam === 'arn') r.push('R91');
  if (ifExists) r.push('R68');
  if (qual === 'ForAllValues') r.push('R70');
  if (qual === 'ForAnyValue') r.push('R71');
  if (!qual && !ifExists && fam !== 'null') r.push(NEG.has(base) ? 'R67' : 'R66');
  if (multiValues) r.push('R64');
  return r;
}
/** policy values for an operator family and key */
function policyValues(rng, base, spec, n) {
  const fam = opFamily(base);
  const out = [];
  for (let i = 0; i < n; i++) {
    if (fam === 'string') {
      const src = spec.kind === 'arn' ? spec.pol : spec.req;
      let v = rng.pick(src);
      if (base.includes('Like')) v = rng.chance(0.7) ? likeify(rng, v) : v;
      else if (base.includes('IgnoreCase') && rng.chance(0.5)) v = flipCase(rng, v);
      out.push(v);
    } else if (fam === 'bool') out.push(rng.pick(['true', 'false', 'True', 'FALSE', true, false]));
    else if (fam === 'numeric') {
      const v = rng.pick(spec.pol);
      out.push(rng.chance(0.15) && /^\d+$/.test(v) ? Number(v) : v); // R22: JSON number
    } else out.push(rng.pick(spec.pol ?? spec.req));
  }
  const seen = new Set();
  return out.filter((x) => {
    const k = `${typeof x}:${x}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
function setKey(ctx, spec, value) {
  const mirror = spec.key.startsWith('aws:ResourceTag/') ? 'ecr:ResourceTag/' + spec.key.split('/')[1] : spec.key.startsWith('ecr:ResourceTag/') ? 'aws:ResourceTag/' + spec.key.split('/')[1] : null;
  for (const k of [spec.key, mirror].filter(Boolean)) {
    if (value === undefined) delete ctx[k];
    else ctx[k] = value;
  }
  if (spec.key === 'aws:SourceIp' && value === undefined) {
    ctx['aws:SourceVpce'] = 'vpce-0a1b2c3d4e5f60718';
    ctx['aws:SourceVpc'] = 'vpc-0a1b2c3d';
    ctx['aws:VpcSourceIp'] = '10.0.7.9';
  }
  if (spec.key === 'aws:MultiFactorAuthAge' && value !== undefined) ctx['aws:MultiFactorAuthPresent'] = 'true';
}
const keyForOp = (rng, base, needOptional) => {
  const fam = opFamily(base);
  let pool;
  if (fam === 'string') pool = [...keysOfKind('string'), ...(rng.chance(0.15) ? keysOfKind('arn') : [])];
  else if (fam === 'date') pool = [...keysOfKind('date'), ...(rng.chance(0.3) ? keysOfKind('epoch') : [])];
  else if (fam === 'null') pool = KEYS.filter((k) => k.optional && k.kind !== 'binary');
  else pool = keysOfKind(fam);
  if (needOptional) pool = pool.filter((k) => k.optional);
  if (needOptional && fam === 'date') pool = keysOfKind('date').filter((k) => k.optional);
  if (needOptional && fam === 'string' && pool.length === 0) pool = keysOfKind('string').filter((k) => k.optional);
  if (needOptional && fam === 'arn') pool = keysOfKind('arn').filter((k) => k.optional);
  return rng.pick(pool);
};

/** Build the request (principal/action/repo/context) and set/unset the key. Returns null if impossible. */
function conditionRequest(rng, spec, { wantAbsent }) {
  let principal;
  if (spec.key === 'aws:username') principal = rng.pick(rng.chance(0.75) ? W.USERS_A : W.SESSIONS_A);
  else principal = rng.pick(rng.chance(0.7) ? W.USERS_A : W.SESSIONS_A);
  const repo = rng.pick(W.REPOS_A);
  const action = spec.scope === 'repo' ? pickRepoAction(rng) : rng.chance(0.1) ? rng.pick(W.WILDCARD_ONLY) : pickRepoAction(rng, { tagging: true, create: false });
  const res = resOf(action, repo);
  const ctx = baseContext(rng, principal, action, res === '*' ? '*' : repo);
  if (spec.free) {
    if (wantAbsent && spec.optional) setKey(ctx, spec, undefined);
    else setKey(ctx, spec, rng.pick(spec.req));
  } else if (wantAbsent && spec.key === 'aws:username' && principal.kind !== 'session') return null;
  return { principal, action, repo, res, ctx };
}

function condShape(rng, { cond, principal, action, res, ctx, allowRp = true }) {
  const shape = rng.weighted([['id-allow', 4], ['id-deny', 3], ...(allowRp && res !== '*' ? [['rp-allow', 1.5], ['rp-deny', 1]] : [])]);
  const pattern = res === '*' ? '*' : rng.pick(['*', res, `arn:aws:ecr:us-east-1:${A}:repository/*`]);
  const c = { principal, action, res, context: ctx };
  let rules = [];
  if (shape === 'id-allow') {
    c.identity = [doc(allow(rng.chance(0.5) ? action : 'ecr:*', pattern, { Condition: cond }))];
    rules = ['R115'];
  } else if (shape === 'id-deny') {
    c.identity = [doc(allow('ecr:*', '*'), deny(rng.chance(0.6) ? action : 'ecr:*', pattern, { Condition: cond }))];
    rules = ['R110'];
  } else if (shape === 'rp-allow') {
    c.resource = doc(rAllow(rng.chance(0.6) ? '*' : { AWS: principal.arn }, rng.chance(0.5) ? action : 'ecr:*', { Condition: cond }));
    rules = ['R115'];
  } else {
    c.identity = [ECR_ALL];
    c.resource = doc(rDeny('*', rng.chance(0.5) ? action : 'ecr:*', { Condition: cond }));
    rules = ['R110'];
  }
  return { c: mkCase(c), rules, shape };
}

const OPS = [...BASE_OPERATORS, 'Null'];
const COND_VARIANTS = OPS.filter((op) => !(NO_BINARY && op === 'BinaryEquals'))
  .flatMap((op) => (op === 'Null' ? [op] : [op, op + 'IfExists']))
  .flatMap((v) => [`${v}|present`, `${v}|absent`]);

const famCondOp = {
  name: 'cond-op',
  target: 420,
  variants: COND_VARIANTS,
  gen(rng, v) {
    const [variant, state] = v.split('|');
    const base = variant.replace(/IfExists$/, '');
    const ifExists = variant.endsWith('IfExists');
    const wantAbsent = state === 'absent';
    const spec = keyForOp(rng, base, wantAbsent);
    const rq = conditionRequest(rng, spec, { wantAbsent });
    if (!rq) return null;
    const n = base === 'Null' || base === 'Bool' ? 1 : rng.weighted([[1, 5], [2, 3], [3, 1]]);
    const values = base === 'Null' ? [rng.pick(['true', 'false', true, false])] : policyValues(rng, base, spec, n);
    const cond = { [variant]: { [spec.key]: one(values) } };
    const { c, rules, shape } = condShape(rng, { cond, ...rq });
    const absent = !Object.keys(rq.ctx).some((k) => k.toLowerCase() === spec.key.toLowerCase());
    return {
      c,
      rules: [...opRules(base, { ifExists, absent, multiValues: values.length > 1 }), ...rules, 'R65', 'R108'],
      note: `${shape}: ${variant} ${spec.key} ${JSON.stringify(values)}; request ${absent ? 'without the key' : `${spec.key}=${JSON.stringify(rq.ctx[spec.key] ?? rq.ctx[Object.keys(rq.ctx).find((k) => k.toLowerCase() === spec.key.toLowerCase())])}`}`
    };
  }
};

// ---------------------------------------------------------------- set operators on aws:TagKeys (R70-R74)
const TAG_KEYS_POOL = ['team', 'env', 'owner', 'cost-center', 'Team', 'project'];
const TAG_VALUES = { team: ['core', 'a', 'b'], env: ['dev', 'prod'], owner: ['alice', 'carol'], 'cost-center': ['cc-100'], Team: ['core'], project: ['portcullis'] };
const SET_BASES = ['StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase'];
const SET_VARIANTS = [
  ...SET_BASES.flatMap((b) => [`ForAllValues:${b}`, `ForAnyValue:${b}`, `ForAllValues:${b}IfExists`, `ForAnyValue:${b}IfExists`]),
  'Null-TagKeys', 'ForAllValues+Null', 'single-valued-key'
];
const famCondSet = {
  name: 'cond-set',
  target: 150,
  variants: SET_VARIANTS,
  gen(rng, variant) {
    const principal = rng.pick(W.PRINCIPALS_A);
    const action = rng.pick(['ecr:CreateRepository', 'ecr:TagResource', 'ecr:TagResource', 'ecr:UntagResource']);
    const repo = action === 'ecr:CreateRepository' ? { name: rng.pick(['new-svc', 'team-a/new', 'sandbox/x']), account: A, tags: {} } : rng.pick(W.REPOS_A);
    const keys = rng.chance(0.15) && !variant.startsWith('ForAnyValue:') ? [] : rng.sample(TAG_KEYS_POOL, rng.weighted([[1, 3], [2, 4], [3, 2]]));
    const reqTags = Object.fromEntries(keys.map((k) => [k, rng.pick(TAG_VALUES[k])]));
    const ctxOpts = action === 'ecr:UntagResource' ? { untagKeys: keys } : { reqTags };
    const ctx = baseContext(rng, principal, action, repo, ctxOpts);
    const polKeys = (b) => rng.sample(b.includes('Like') ? ['team*', 'env', 'own?r', 'cost-*', 'te*', '*-center'] : b.includes('IgnoreCase') ? ['TEAM', 'env', 'Owner', 'team'] : ['team', 'env', 'owner', 'project'], rng.int(1, 3));
    let cond;
    let rules;
    if (variant === 'Null-TagKeys') {
      cond = { Null: { 'aws:TagKeys': rng.pick(['true', 'false']) } };
      rules = ['R69', 'R61'];
    } else if (variant === 'ForAllValues+Null') {
      // R70 surprise and its fix: pair ForAllValues with Null aws:TagKeys false
      cond = { 'ForAllValues:StringEquals': { 'aws:TagKeys': polKeys('StringEquals') }, Null: { 'aws:TagKeys': 'false' } };
      rules = ['R70', 'R69', 'R64', 'R65'];
    } else if (variant === 'single-valued-key') {
      const q = rng.pick(['ForAllValues', 'ForAnyValue']);
      const b = rng.pick(['StringEquals', 'StringNotEquals', 'StringLike']);
      if (rng.chance(0.3)) delete ctx['aws:PrincipalTag/team'];
      else ctx['aws:PrincipalTag/team'] = rng.pick(['core', 'a', 'b']);
      cond = { [`${q}:${b}`]: { 'aws:PrincipalTag/team': one(rng.sample(b === 'StringLike' ? ['c*', 'a', '?'] : ['core', 'a', 'platform'], rng.int(1, 2))) } };
      rules = ['R74', q === 'ForAllValues' ? 'R70' : 'R71'];
    } else {
      const [q, rest] = variant.split(':');
      const b = rest.replace(/IfExists$/, '');
      cond = { [variant]: { 'aws:TagKeys': one(polKeys(b)) } };
      rules = [q === 'ForAllValues' ? 'R70' : 'R71', 'R61', ...(rest.endsWith('IfExists') ? ['R68', 'R72'] : [])];
      if (b.includes('IgnoreCase')) rules.push('R75');
    }
    const shape = rng.weighted([['allow', 5], ['deny', 4]]);
    const identity = shape === 'allow'
      ? [doc(allow(rng.chance(0.5) ? action : ['ecr:TagResource', 'ecr:UntagResource', 'ecr:CreateRepository'], rng.pick(['*', `arn:aws:ecr:us-east-1:${A}:repository/*`]), { Condition: cond }))]
      : [doc(allow('ecr:*', '*'), deny(rng.chance(0.5) ? action : ['ecr:TagResource', 'ecr:UntagResource'], '*', { Condition: cond }))];
    return {
      c: mkCase({ identity, principal, action, res: repoArn(repo.name), context: ctx }),
      rules: [...rules, ...(shape === 'deny' ? ['R110', 'R144'] : ['R143'])],
      note: `${shape}: ${JSON.stringify(cond)}; ${action} with aws:TagKeys ${keys.length ? JSON.stringify(keys) : 'absent'}`
    };
  }
};

// ---------------------------------------------------------------- multiple values / keys / operators (R64, R65, R123)
const famCondMulti = {
  name: 'cond-multi',
  target: 110,
  variants: ['or-values', 'nor-values', 'and-keys', 'and-operators', 'split-statements'],
  gen(rng, variant) {
    const principal = rng.pick(W.PRINCIPALS_A);
    const repo = rng.pick(W.REPOS_A);
    const action = pickRepoAction(rng);
    const ctx = baseContext(rng, principal, action, repo, { tags: { team: rng.pick(['core', 'a', 'b', 'platform']), ...(rng.chance(0.6) ? { env: rng.pick(['dev', 'prod']) } : {}) } });
    const t = () => rng.pick(['core', 'a', 'b', 'platform', 'ext']);
    let cond;
    let rules = ['R64', 'R65'];
    let identity;
    if (variant === 'or-values') cond = { [rng.pick(['StringEquals', 'StringLike', 'StringEqualsIgnoreCase'])]: { 'aws:PrincipalTag/team': uniq([t(), t(), t()]) } };
    else if (variant === 'nor-values') cond = { [rng.pick(['StringNotEquals', 'StringNotLike', 'StringNotEqualsIgnoreCase'])]: { 'aws:PrincipalTag/team': uniq([t(), t(), t()]) } };
    else if (variant === 'and-keys') {
      cond = { StringEquals: { 'aws:PrincipalTag/team': uniq([t(), t()]), 'aws:ResourceTag/env': rng.pick(['prod', 'dev']), ...(rng.chance(0.5) ? { 'aws:PrincipalTag/env': rng.pick(['dev', 'prod']) } : {}) } };
    } else if (variant === 'and-operators') {
      cond = {
        StringLike: { 'aws:PrincipalArn': rng.pick([`arn:aws:iam::${A}:user/*`, `arn:aws:iam::${A}:role/*`, `arn:aws:iam::${A}:*`]) },
        Bool: { 'aws:SecureTransport': 'true' },
        IpAddress: { 'aws:SourceIp': uniq([rng.pick(['203.0.113.0/24', '10.0.0.0/8']), rng.pick(['198.51.100.0/24', '2001:db8::/32'])]) },
        ...(rng.chance(0.5) ? { DateLessThan: { 'aws:CurrentTime': rng.pick(['2025-01-01T00:00:00Z', '2024-03-01T00:00:00Z']) } } : {})
      };
      if (rng.chance(0.3)) ctx['aws:SecureTransport'] = 'false';
    } else {
      // R123: two statements each matching half of the condition do not combine
      identity = [doc(
        allow(action, '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': t() } } }),
        allow(action, '*', { Condition: { StringEquals: { 'aws:ResourceTag/env': rng.pick(['prod', 'dev']) } } })
      )];
      rules = ['R123', 'R65'];
    }
    const shape = identity ? 'allow' : rng.weighted([['allow', 5], ['deny', 4]]);
    if (!identity) {
      identity = shape === 'allow' ? [doc(allow(rng.chance(0.5) ? action : 'ecr:*', '*', { Condition: cond }))] : [doc(allow('ecr:*', '*'), deny(action, '*', { Condition: cond }))];
    }
    return { c: mkCase({ identity, principal, action, res: repoArn(repo.name), context: ctx }), rules: [...rules, ...(shape === 'deny' ? ['R110'] : [])], note: `${variant}/${shape}: ${JSON.stringify(cond ?? 'two half statements')}` };
  }
};

// ---------------------------------------------------------------- policy variables (R97-R104, R51)
const VAR_VARIANTS = ['res-username', 'res-tag', 'res-tag-default', 'res-tag-prefix', 'cond-abac', 'cond-like-var', 'cond-arn-var', 'cond-default', 'cond-special', 'cond-bool-var', 'cond-negated-resolved', 'deny-positive-unresolved', 'res-literal-substitution'];
const famVars = {
  name: 'vars',
  target: 130,
  variants: VAR_VARIANTS,
  gen(rng, variant) {
    const principal = rng.pick(variant === 'res-username' || variant === 'cond-arn-var' ? [...W.USERS_A, ...W.USERS_A, ...W.SESSIONS_A] : W.PRINCIPALS_A);
    let repo = rng.pick(W.REPOS_A);
    const action = pickRepoAction(rng);
    const tags = { ...principal.tags };
    if (rng.chance(0.3)) delete tags.team;
    else if (rng.chance(0.4)) tags.team = rng.pick(['a', 'b', 'core', 'platform']);
    const repoBase = `arn:aws:ecr:us-east-1:${A}:repository/`;
    let stmt;
    let rules = ['R97', 'R104'];
    let ctxOpts = { tags };
    switch (variant) {
      case 'res-username':
        if (principal.kind === 'user' && rng.chance(0.6)) repo = { name: principal.name === 'alice' ? 'alice' : rng.pick(['alice', 'tools']), account: A, tags: {} };
        stmt = allow(action, `${repoBase}\${aws:username}`);
        rules.push('R51', 'R100', 'R101', 'R105');
        break;
      case 'res-tag':
        repo = rng.pick(W.REPOS_A.filter((r) => r.name.startsWith('team-') || r.name === 'app'));
        stmt = allow(action, `${repoBase}team-\${aws:PrincipalTag/team}/*`);
        rules.push('R51', 'R100', 'R101');
        break;
      case 'res-tag-default':
        stmt = allow(action, `${repoBase}\${aws:PrincipalTag/team, '${rng.pick(['app', 'tools', 'shared'])}'}`);
        if (rng.chance(0.5)) repo = rng.pick([W.repoOf('app'), W.repoOf('tools')]);
        rules.push('R51', 'R100');
        break;
      case 'res-tag-prefix':
        // variable followed by a wildcard: team-${aws:PrincipalTag/team}* (the * still crosses "/", R45)
        repo = rng.pick(W.REPOS_A.filter((r) => r.name.startsWith('team-') || r.name === 'tools'));
        stmt = allow(action, `${repoBase}team-\${aws:PrincipalTag/team}*`);
        rules.push('R51', 'R45', 'R101');
        break;
      case 'res-literal-substitution':
        // R102: substituted text is literal: a tag value "team-*" never acts as a wildcard
        tags.team = rng.pick(['*', 'a', 'a*']);
        repo = rng.pick(W.REPOS_A.filter((r) => r.name.startsWith('team-')));
        stmt = allow(action, `${repoBase}team-\${aws:PrincipalTag/team}`);
        rules.push('R102', 'R51');
        break;
      case 'cond-abac':
        stmt = allow(action, '*', { Condition: { [rng.pick(['StringEquals', 'StringEqualsIgnoreCase'])]: { [rng.pick(['aws:ResourceTag/team', 'ecr:ResourceTag/team'])]: '${aws:PrincipalTag/team}' } } });
        rules.push('R100', 'R101', 'R145', 'R140');
        break;
      case 'cond-like-var':
        repo = rng.pick(W.REPOS_A.filter((r) => r.tags.owner));
        stmt = allow(action, '*', { Condition: { StringLike: { 'aws:ResourceTag/owner': rng.pick(['${aws:username}*', '${aws:username}', '*${aws:PrincipalTag/team}*']) } } });
        rules.push('R100', 'R101');
        break;
      case 'cond-arn-var':
        stmt = allow(action, '*', { Condition: { [rng.pick(['ArnEquals', 'ArnLike'])]: { 'aws:PrincipalArn': rng.pick([`arn:aws:iam::${A}:user/\${aws:username}`, `arn:aws:iam::${A}:user/*\${aws:username}`]) } } });
        rules.push('R90', 'R100', 'R101');
        break;
      case 'cond-default':
        stmt = allow(action, '*', { Condition: { StringEquals: { 'aws:ResourceTag/team': `\${aws:PrincipalTag/team, '${rng.pick(['core', 'a', 'none'])}'}` } } });
        rules.push('R100');
        break;
      case 'cond-special': {
        // ${*} ${?} ${$} are literal characters in Like/Arn patterns (R98, R103); Equals avoided (R197)
        const v = rng.pick(['a*b', 'a?b', 'a$b', 'axb', 'ab']);
        tags['x'] = v;
        stmt = allow(action, '*', { Condition: { StringLike: { 'aws:PrincipalTag/x': rng.pick(['a${*}b', 'a${?}b', 'a${$}b', 'a*${*}', '?${?}?']) } } });
        rules.push('R98', 'R103');
        break;
      }
      case 'cond-bool-var':
        tags.mfa = rng.pick(['true', 'false']);
        ctxOpts = { ...ctxOpts, tls: rng.chance(0.8) };
        stmt = allow(action, '*', { Condition: { Bool: { 'aws:SecureTransport': '${aws:PrincipalTag/mfa}' } } });
        rules.push('R83', 'R99');
        if (rng.chance(0.2)) delete tags.mfa;
        break;
      case 'cond-negated-resolved':
        tags.team = rng.pick(['a', 'b', 'core']); // always resolvable (R197: unresolved + negated avoided)
        stmt = allow(action, '*', { Condition: { [rng.pick(['StringNotEquals', 'StringNotLike'])]: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } });
        rules.push('R67', 'R100');
        break;
      case 'deny-positive-unresolved':
        // Deny with a positive operator whose variable may be unresolved: value matches nothing (R101)
        return {
          c: mkCase({
            identity: [doc(allow('ecr:*', '*'), deny(action, '*', { Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } }))],
            principal, action, res: repoArn(repo.name), context: baseContext(rng, principal, action, repo, ctxOpts)
          }),
          rules: ['R97', 'R100', 'R101', 'R110'],
          note: 'Deny if StringEquals aws:ResourceTag/team = ${aws:PrincipalTag/team}'
        };
      default:
        throw new Error(variant);
    }
    const ctx = baseContext(rng, principal, action, repo, ctxOpts);
    let identity = [doc(stmt)];
    if (rng.chance(0.35)) {
      identity = [doc(allow('ecr:*', '*'), { ...stmt, Effect: 'Deny' })];
      rules.push('R110');
    }
    return { c: mkCase({ identity, principal, action, res: repoArn(repo.name), context: ctx }), rules, note: `${variant}: ${JSON.stringify(stmt.Resource)} ${stmt.Condition ? JSON.stringify(stmt.Condition) : ''} for ${principal.arn} on ${repo.name}` };
  }
};

// ---------------------------------------------------------------- actions (R35-R40, R50)
const ACTION_PATTERNS = ['ecr:*', '*', 'ecr:Get*', 'ecr:*Image', 'ecr:Batch*', 'ecr:???Image', 'ecr:Describe*', 'ecr:List*', 'ecr:*Layer*',
  'ECR:BatchGetImage', 'ecr:batchgetimage', 'Ecr:PutImage', 'ecr:Put*', 'ecr:*Repository*', 's3:*', 'ecr-public:*', 'ecr:Get?uthorizationToken',
  'ecr:*Registry*', 'ecr:GETAUTHORIZATIONTOKEN', 'ecr:Delete*', 'ecr:*Tag*', 'ecr:Batch????Image', 'ecr:?utImage', 'ecr:Complete*', 'ecr:*Upload', 'sts:*'];
const famAction = {
  name: 'action',
  target: 120,
  variants: ['allow-action', 'allow-notaction', 'deny-action', 'deny-notaction', 'wildcard-only'],
  gen(rng, variant) {
    const principal = rng.pick(W.PRINCIPALS_A);
    const repo = rng.pick(W.REPOS_A);
    const action = variant === 'wildcard-only' || rng.chance(0.15) ? rng.pick(W.WILDCARD_ONLY) : pickRepoAction(rng, { tagging: true });
    const pats = uniq(rng.sample(ACTION_PATTERNS, rng.weighted([[1, 5], [2, 3], [3, 1]])));
    const res = resOf(action, repo);
    const resourcePattern = res === '*' ? (variant === 'wildcard-only' && rng.chance(0.4) ? rng.pick([`arn:aws:ecr:us-east-1:${A}:repository/*`, `arn:aws:ecr:*:*:*`]) : '*') : rng.pick(['*', '*', res]);
    const isNot = variant.endsWith('notaction') || (variant === 'wildcard-only' && rng.chance(0.3));
    const stmt = { Effect: 'Allow', [isNot ? 'NotAction' : 'Action']: one(pats), Resource: resourcePattern };
    let identity;
    const rules = ['R35', 'R37', 'R108'];
    if (pats.some(nonCanonicalCase)) rules.push('R36');
    if (pats.some((p) => p === '*' || p === 'ecr:*')) rules.push('R38');
    if (isNot) rules.push('R39');
    if (res === '*') rules.push('R50', 'R117');
    if (variant.startsWith('deny')) {
      identity = [doc(allow(rng.chance(0.7) ? '*' : 'ecr:*', '*'), { ...stmt, Effect: 'Deny', Resource: '*' })];
      rules.push('R110');
    } else identity = [doc(stmt)];
    const ctx = baseContext(rng, principal, action, res === '*' ? '*' : repo);
    return { c: mkCase({ identity, principal, action, res, context: ctx }), rules, note: `${variant}: ${JSON.stringify(identity[0].Statement.at(-1))} vs ${action}` };
  }
};
function nonCanonicalCase(p) {
  const [svc, act = ''] = p.split(':');
  const letters = act.replace(/[^A-Za-z]/g, '');
  return svc !== svc.toLowerCase() || (letters.length > 3 && (letters === letters.toLowerCase() || letters === letters.toUpperCase()));
}

// ---------------------------------------------------------------- resources (R44-R51)
const RES_PATTERNS = (repo) => uniq([
  '*', repoArn(repo.name), `arn:aws:ecr:us-east-1:${A}:repository/*`, `arn:aws:ecr:*:${A}:repository/team-a/*`, `arn:aws:ecr:us-east-1:*:repository/app`,
  'arn:aws:ecr:*:*:repository/*', `arn:aws:ecr:us-east-1:${A}:repository/team-*`, `arn:aws:ecr:us-east-1:${A}:repository/ap?`, `arn:aws:ecr:us-east-1:${A}:repository/App`,
  `arn:aws:ecr:eu-west-1:${A}:repository/app`, `arn:aws:ecr:us-east-1:${B}:repository/app`, `arn:aws:ecr:us-east-?:${A}:repository/app`, `arn:aws:ecr:us-east-1:${A}:repository/prod/*`,
  `arn:aws:ecr:us-east-1:${A}:repository/team-a/app`, `arn:aws:ecr:us-east-1:${A}:repository/TEAM-A/*`, `arn:aws:ecr:*:${A}:repository/*`, `arn:aws:ecr:us-east-1:${A}:repository/*app`,
  `arn:aws:ecr:us-east-1:${A}:repository/app*`, `arn:aws:ecr:us-east-1:${A}:repository/t??ls`, `arn:aws:s3:::app/*`, `arn:aws:ecr:us-east-1:${A}:repository/team-a`
]);
const famResource = {
  name: 'resource',
  target: 120,
  variants: ['allow-resource', 'allow-notresource', 'deny-resource', 'deny-notresource', 'wildcard-only'],
  gen(rng, variant) {
    const principal = rng.pick(W.PRINCIPALS_A);
    const repo = rng.pick(W.REPOS_A);
    const action = variant === 'wildcard-only' ? rng.pick(W.WILDCARD_ONLY) : pickRepoAction(rng, { tagging: true });
    const res = resOf(action, repo);
    const pats = rng.sample(RES_PATTERNS(repo).filter((p) => variant === 'wildcard-only' || p !== '*' || rng.chance(0.3)), rng.weighted([[1, 5], [2, 3]]));
    const isNot = variant.endsWith('notresource') || (variant === 'wildcard-only' && rng.chance(0.4));
    const stmt = { Effect: 'Allow', Action: rng.pick([action, 'ecr:*', '*']), [isNot ? 'NotResource' : 'Resource']: one(pats) };
    const rules = ['R45', 'R46', 'R108'];
    if (pats.includes('*')) rules.push('R44');
    if (isNot) rules.push('R49');
    if (res === '*') rules.push('R50');
    let identity;
    if (variant.startsWith('deny')) {
      identity = [doc(allow('ecr:*', '*'), { ...stmt, Effect: 'Deny' })];
      rules.push('R110');
    } else identity = [doc(stmt)];
    const ctx = baseContext(rng, principal, action, res === '*' ? '*' : repo);
    return { c: mkCase({ identity, principal, action, res, context: ctx }), rules, note: `${variant}: ${JSON.stringify(identity[0].Statement.at(-1))} vs ${action} on ${res}` };
  }
};

// ---------------------------------------------------------------- resource-policy principals, same account (R52-R57, R115, R120, R124)
function principalEntryPool(caller) {
  const others = W.PRINCIPALS_A.filter((p) => p !== caller);
  const other = others[0];
  return [
    ['caller-arn', caller.arn], ['caller-role', caller.roleArn], ['account-id', A], ['account-root', rootArn(A)], ['star', '*'], ['aws-star', { AWS: '*' }],
    ['other-user', userArn('erin') === caller.arn ? userArn('admin') : userArn('erin')], ['other-role', roleArn('deploy') === caller.roleArn ? roleArn('ci') : roleArn('deploy')],
    ['other-session', caller.kind === 'session' && caller.arn === sessArn('ci', 'run2') ? sessArn('ci', 'run1') : sessArn('ci', 'run2')], ['account-b', B], ['other', other.arn]
  ].filter(([, v]) => v);
}
const famRpPrincipal = {
  name: 'rp-principal',
  target: 110,
  variants: ['caller-arn', 'caller-role', 'account-id', 'account-root', 'star', 'aws-star', 'other-user', 'other-role', 'other-session', 'list'],
  gen(rng, variant) {
    const caller = rng.pick(variant === 'caller-role' || variant === 'other-session' ? W.SESSIONS_A : W.PRINCIPALS_A);
    const repo = rng.pick(W.REPOS_A);
    const action = pickRepoAction(rng);
    const pool = principalEntryPool(caller);
    let entry;
    if (variant === 'list') entry = { AWS: rng.sample(pool.filter(([k, v]) => typeof v === 'string' && v !== '*').map(([, v]) => v), rng.int(2, 3)) };
    else {
      const found = pool.find(([k]) => k === variant);
      if (!found) return null;
      entry = typeof found[1] === 'object' || found[1] === '*' ? found[1] : { AWS: found[1] };
    }
    const stmts = [rAllow(entry, rng.pick([action, 'ecr:*', W.PULL, [action, 'ecr:DescribeImages']]))];
    const rules = ['R52', 'R115', 'R124'];
    if (variant === 'caller-role' || variant === 'other-session') rules.push('R55');
    if (variant.startsWith('account')) rules.push('R57', 'R120');
    if (rng.chance(0.3)) {
      const [, dv] = rng.pick(pool);
      stmts.push(rDeny(typeof dv === 'object' || dv === '*' ? dv : { AWS: dv }, rng.pick([action, 'ecr:Delete*', 'ecr:*'])));
      rules.push('R110', 'R57');
    }
    const idMode = rng.weighted([['none', 5], ['allow', 2], ['other', 2]]);
    const identity = idMode === 'none' ? [] : idMode === 'allow' ? [doc(grantFor(rng, action, repoArn(repo.name)))] : [doc(allow('ecr:DescribeImages', '*'))];
    const ctx = baseContext(rng, caller, action, repo);
    return { c: mkCase({ identity, resource: doc(...stmts), principal: caller, action, res: repoArn(repo.name), context: ctx }), rules, note: `RP ${JSON.stringify(stmts.map((s) => [s.Effect, s.Principal]))}, identity ${idMode}, caller ${caller.arn}` };
  }
};

// ---------------------------------------------------------------- cross-account (R116, R120, R57)
const famCross = {
  name: 'cross-account',
  target: 110,
  variants: ['b-account-id', 'b-root-arn', 'caller-arn', 'caller-role', 'star', 'star-cond', 'a-account', 'none', 'a-to-b'],
  gen(rng, variant) {
    let caller = rng.pick(variant === 'caller-role' ? [P.extS1] : W.PRINCIPALS_B);
    let repo = rng.pick(W.REPOS_A);
    let owner = A;
    if (variant === 'a-to-b') {
      caller = rng.pick(W.PRINCIPALS_A);
      repo = W.repoOf('shared/base', B);
      owner = B;
    }
    const action = pickRepoAction(rng);
    const res = repoArn(repo.name, repo.account);
    const ctxOpts = { orgId: caller.account === A ? 'o-aa11bb22cc' : rng.pick(['o-aa11bb22cc', 'o-zz99yy88xx', '']) };
    const ctx = baseContext(rng, caller, action, repo, ctxOpts);
    const rules = ['R116'];
    const acts = rng.pick([action, 'ecr:*', W.PULL, W.PUSH]);
    let entry;
    let cond;
    switch (variant) {
      case 'b-account-id': entry = { AWS: B }; rules.push('R120', 'R52'); break;
      case 'b-root-arn': entry = { AWS: rootArn(B) }; rules.push('R120', 'R52'); break;
      case 'caller-arn': entry = { AWS: caller.arn }; rules.push('R52'); break;
      case 'caller-role': entry = { AWS: caller.roleArn }; rules.push('R55'); break;
      case 'star': entry = '*'; rules.push('R52'); break;
      case 'star-cond':
        entry = '*';
        cond = rng.pick([{ StringEquals: { 'aws:PrincipalAccount': [B] } }, { StringEquals: { 'aws:PrincipalOrgID': 'o-aa11bb22cc' } }, { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${B}:user/*` } }]);
        rules.push('R52', 'R125');
        break;
      case 'a-account': entry = { AWS: A }; rules.push('R57'); break;
      case 'a-to-b': entry = rng.pick([{ AWS: A }, { AWS: caller.arn }, '*', { AWS: B }]); rules.push('R120'); break;
      case 'none': entry = null; break;
    }
    const stmts = entry ? [rAllow(entry, acts, cond ? { Condition: cond } : {})] : [];
    if (rng.chance(0.25)) {
      stmts.push(rDeny(rng.pick([{ AWS: caller.account }, '*', { AWS: caller.arn }]), rng.pick(['ecr:Delete*', 'ecr:PutImage', action, 'ecr:BatchDeleteImage'])));
      rules.push('R110', 'R57');
    }
    const idMode = rng.weighted([['allow', 6], ['none', 2], ['other', 1], ['wrong-account', 1]]);
    const identity = idMode === 'allow' ? [doc(grantFor(rng, action, res))] : idMode === 'other' ? [doc(allow('ecr:Describe*', '*'))] : idMode === 'wrong-account' ? [doc(allow('ecr:*', `arn:aws:ecr:us-east-1:${caller.account}:repository/*`))] : [];
    const pb = rng.chance(0.2) ? [doc(allow(rng.pick(['ecr:*', 'ecr:BatchGetImage', 'ecr:Describe*']), '*'))] : null;
    if (pb) rules.push('R119');
    return {
      c: mkCase({ identity, resource: stmts.length ? doc(...stmts) : null, pb, principal: caller, action, res, context: ctx }),
      rules,
      note: `${caller.arn} -> ${owner} repo ${repo.name}; RP ${JSON.stringify(stmts.map((s) => [s.Effect, s.Principal]))}; identity ${idMode}${pb ? '; PB' : ''}`
    };
  }
};

// ---------------------------------------------------------------- permission boundaries (R119, R115.1/2)
const famPB = {
  name: 'boundary',
  target: 100,
  variants: ['identity-path', 'rp-user-arn', 'rp-role-arn', 'rp-session-arn', 'rp-star', 'rp-account', 'pb-deny', 'no-pb'],
  gen(rng, variant) {
    const needSession = variant === 'rp-role-arn' || variant === 'rp-session-arn';
    const caller = needSession ? rng.pick(W.SESSIONS_A) : variant === 'rp-user-arn' ? rng.pick(W.USERS_A) : rng.pick(W.PRINCIPALS_A);
    const repo = rng.pick(W.REPOS_A);
    const action = rng.chance(0.1) && variant === 'identity-path' ? rng.pick(W.WILDCARD_ONLY) : pickRepoAction(rng);
    const res = resOf(action, repo);
    const pbAct = rng.pick([action, 'ecr:*', W.PULL, 'ecr:Describe*', 'ecr:BatchGetImage', [action, 'ecr:GetAuthorizationToken'], '*']);
    let pb = variant === 'no-pb' ? null : [doc(allow(pbAct, rng.pick(['*', `arn:aws:ecr:us-east-1:${A}:repository/*`, res])))];
    const rules = ['R119'];
    if (variant === 'pb-deny') {
      pb = [doc(allow('*', '*'), deny(rng.pick([action, 'ecr:Delete*', 'ecr:Put*']), '*'))];
      rules.push('R110');
    }
    let resource = null;
    const acts = rng.pick([action, 'ecr:*', [action, 'ecr:DescribeImages']]);
    if (variant === 'rp-user-arn') resource = doc(rAllow({ AWS: caller.arn }, acts));
    if (variant === 'rp-role-arn') resource = doc(rAllow({ AWS: caller.roleArn }, acts));
    if (variant === 'rp-session-arn') resource = doc(rAllow({ AWS: caller.arn }, acts));
    if (variant === 'rp-star') resource = doc(rAllow('*', acts));
    if (variant === 'rp-account') resource = doc(rAllow({ AWS: rng.pick([A, rootArn(A)]) }, acts));
    if (res === '*') resource = null;
    if (resource) rules.push('R115', 'R124');
    const idMode = resource ? rng.weighted([['none', 3], ['allow', 2]]) : rng.weighted([['allow', 4], ['none', 1]]);
    if (idMode === 'allow' || !resource) rules.push('R115');
    const identity = idMode === 'allow' ? [doc(grantFor(rng, action, res))] : [];
    const ctx = baseContext(rng, caller, action, res === '*' ? '*' : repo);
    return { c: mkCase({ identity, resource, pb, principal: caller, action, res, context: ctx }), rules, note: `${variant}: PB ${JSON.stringify(pb?.[0].Statement)}; identity ${idMode}; caller ${caller.arn} ${action}` };
  }
};

// ---------------------------------------------------------------- session policies (R121, R107)
const famSession = {
  name: 'session',
  target: 90,
  variants: ['sp-allows', 'sp-silent', 'sp-deny', 'rp-role-arn', 'rp-account', 'sp-and-pb', 'federated'],
  gen(rng, variant) {
    const caller = variant === 'federated' ? P.dana : rng.pick(W.SESSIONS_A);
    const repo = rng.pick(W.REPOS_A);
    const action = rng.chance(0.1) ? rng.pick(W.WILDCARD_ONLY) : pickRepoAction(rng);
    const res = resOf(action, repo);
    const rules = ['R121', 'R107'];
    let session;
    const spAllow = () => allow(rng.pick([action, 'ecr:*', W.PULL, 'ecr:Batch*', [action, 'ecr:GetAuthorizationToken']]), rng.pick(['*', res]));
    const spOther = () => allow(rng.pick(['ecr:Describe*', 's3:GetObject', 'ecr:ListImages']), '*');
    if (variant === 'sp-silent') session = doc(spOther());
    else if (variant === 'sp-deny') {
      session = doc(allow('*', '*'), deny(rng.pick([action, 'ecr:Delete*', 'ecr:Put*', 'ecr:BatchGetImage']), '*'));
      rules.push('R110');
    } else session = doc(rng.chance(0.7) ? spAllow() : spOther());
    let resource = null;
    // (a federated-user session's parent user cannot be expressed in the oracle's request: not generated)
    if (res !== '*' && variant === 'rp-role-arn') {
      resource = doc(rAllow({ AWS: caller.roleArn }, rng.pick([action, 'ecr:*'])));
      rules.push('R115', 'R124');
    }
    if (res !== '*' && (variant === 'rp-account' || (variant === 'federated' && rng.chance(0.3)))) {
      resource = doc(rAllow({ AWS: rng.pick([A, rootArn(A)]) }, rng.pick([action, 'ecr:*'])));
      rules.push('R120');
    }
    const pb = variant === 'sp-and-pb' ? [doc(allow(rng.pick([action, 'ecr:*', 'ecr:Describe*']), '*'))] : null;
    if (pb) rules.push('R119');
    const idMode = resource ? rng.weighted([['none', 1], ['allow', 2]]) : rng.weighted([['allow', 5], ['none', 1]]);
    const identity = idMode === 'allow' ? [doc(grantFor(rng, action, res))] : [];
    rules.push('R115');
    const ctx = baseContext(rng, caller, action, res === '*' ? '*' : repo);
    return { c: mkCase({ identity, resource, pb, session, principal: caller, action, res, context: ctx }), rules, note: `${variant}: session policy ${JSON.stringify(session.Statement)}; identity ${idMode}; caller ${caller.arn} ${action}` };
  }
};

// ---------------------------------------------------------------- SCPs (R112, R110, R107, R118)
const scpDocs = (rng, action) => [
  ['full', FULL], ['ecr-all', ECR_ALL], ['allow-action', doc(allow(rng.pick([action, [action, 'ecr:Describe*']]), '*'))], ['allow-pull', doc(allow(W.PULL, '*'))],
  ['silent', doc(allow(rng.pick(['s3:*', 'ec2:*', 'sts:*']), '*'))],
  ['deny-delete', doc(allow('*', '*'), deny(['ecr:DeleteRepository', 'ecr:BatchDeleteImage'], '*'))],
  ['deny-region', doc(allow('*', '*'), deny('*', '*', { Condition: { StringNotEquals: { 'aws:RequestedRegion': rng.pick([['us-east-1', 'eu-west-1'], 'eu-west-1']) } } }))],
  ['deny-notaction', doc(allow('*', '*'), { Effect: 'Deny', NotAction: rng.pick([['ecr:*', 'sts:*'], ['s3:*'], ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:GetAuthorizationToken']]), Resource: '*' })],
  ['deny-action', doc(allow('*', '*'), deny(action, '*'))],
  ['deny-tls', doc(allow('*', '*'), deny('ecr:*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } }))]
];
const famSCP = {
  name: 'scp',
  target: 110,
  variants: ['1-level', '2-levels', '3-levels', '3-levels-one-silent', 'root-user', 'cross-account'],
  gen(rng, variant) {
    let caller = rng.pick(W.PRINCIPALS_A);
    if (variant === 'root-user') caller = P.rootA;
    if (variant === 'cross-account') caller = rng.pick(W.PRINCIPALS_B);
    const repo = rng.pick(W.REPOS_A);
    const action = rng.chance(0.15) && variant !== 'cross-account' ? rng.pick(W.WILDCARD_ONLY) : pickRepoAction(rng);
    const res = resOf(action, repo);
    const nLevels = { '1-level': 1, '2-levels': 2, '3-levels': 3, '3-levels-one-silent': 3 }[variant] ?? rng.int(1, 3);
    const docs = scpDocs(rng, action);
    const levels = [];
    for (let i = 0; i < nLevels; i++) {
      const names = rng.sample(docs.filter(([n]) => n !== 'silent' || variant === '3-levels-one-silent' || rng.chance(0.3)).map(([n]) => n), rng.weighted([[1, 3], [2, 2]]));
      levels.push(names);
    }
    if (variant === '3-levels-one-silent') levels[rng.int(0, 2)] = ['silent'];
    const byName = Object.fromEntries(docs);
    const scps = levels.length === 1 ? levels[0].map((n) => byName[n]) : levels.map((l) => l.map((n) => byName[n]));
    const rules = ['R112', 'R107'];
    if (levels.flat().some((n) => n.startsWith('deny'))) rules.push('R110');
    if (caller.kind === 'root') rules.push('R118');
    let resource = null;
    if (caller.account !== A) {
      resource = doc(rAllow(rng.pick([{ AWS: B }, { AWS: caller.arn }, '*']), rng.pick([action, 'ecr:*'])));
      rules.push('R116');
    }
    const identity = caller.kind === 'root' ? [doc(allow(rng.pick(['*', 'ecr:*', action]), '*'))] : rng.chance(0.85) ? [doc(grantFor(rng, action, res))] : [];
    const ctx = baseContext(rng, caller, action, res === '*' ? '*' : repo, { tls: rng.chance(0.85) });
    return { c: mkCase({ identity, resource, scps, principal: caller, action, res, context: ctx }), rules, note: `${variant}: SCP levels ${JSON.stringify(levels)}; caller ${caller.arn} ${action}` };
  }
};

// ---------------------------------------------------------------- RCPs (R111, R110)
const famRCP = {
  name: 'rcp',
  target: 80,
  variants: ['org-guard', 'tls-guard', 'account-guard', 'action-deny', '2-levels'],
  gen(rng, variant) {
    const caller = rng.pick([...W.PRINCIPALS_A, ...W.PRINCIPALS_B]);
    const repo = rng.pick(W.REPOS_A);
    const action = pickRepoAction(rng);
    const res = repoArn(repo.name);
    const orgId = caller.account === A ? 'o-aa11bb22cc' : rng.pick(['o-aa11bb22cc', 'o-zz99yy88xx', '']);
    const ctx = baseContext(rng, caller, action, repo, { orgId, tls: rng.chance(0.8) });
    const rcpOf = (v) => ({
      'org-guard': () => doc(rcpDeny(rng.pick(['ecr:*', ['ecr:*', 's3:*']]), { Condition: { [rng.pick(['StringNotEqualsIfExists', 'StringNotEquals'])]: { 'aws:PrincipalOrgID': 'o-aa11bb22cc' } } })),
      'tls-guard': () => doc(rcpDeny('ecr:*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } })),
      'account-guard': () => doc(rcpDeny(rng.pick(['ecr:*', W.PUSH]), { Condition: { StringNotEquals: { 'aws:PrincipalAccount': rng.pick([[A], [A, B]]) } } })),
      'action-deny': () => doc(rcpDeny(rng.pick(['ecr:DeleteRepository', ['ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy'], 'ecr:Put*', action]))),
    })[v]();
    const rcps = variant === '2-levels' ? [[rcpOf(rng.pick(['org-guard', 'tls-guard']))], [rcpOf(rng.pick(['account-guard', 'action-deny']))]] : [rcpOf(variant)];
    const rules = ['R111', 'R110', 'R107'];
    let resource = null;
    if (caller.account !== A || rng.chance(0.3)) {
      resource = doc(rAllow(rng.pick([{ AWS: caller.account }, { AWS: caller.arn }, '*']), rng.pick([action, 'ecr:*'])));
      rules.push(caller.account !== A ? 'R116' : 'R115');
    }
    const identity = rng.chance(0.85) ? [doc(grantFor(rng, action, res))] : [];
    return { c: mkCase({ identity, resource, rcps, principal: caller, action, res, context: ctx }), rules, note: `${variant}: RCP ${JSON.stringify(rcps)}; caller ${caller.arn} (org ${orgId || 'none'}) ${action}` };
  }
};

// ---------------------------------------------------------------- explicit deny in each policy type (R110, R122)
const famDeny = {
  name: 'explicit-deny',
  target: 90,
  variants: ['identity', 'resource', 'boundary', 'session', 'scp', 'rcp'],
  gen(rng, variant) {
    const caller = variant === 'session' ? rng.pick(W.SESSIONS_A) : rng.pick([...W.PRINCIPALS_A, ...W.PRINCIPALS_A, ...W.PRINCIPALS_B]);
    const repo = rng.pick(W.REPOS_A);
    const action = variant === 'resource' || variant === 'rcp' || caller.account !== A ? pickRepoAction(rng) : rng.chance(0.15) ? rng.pick(W.WILDCARD_ONLY) : pickRepoAction(rng);
    const res = resOf(action, repo);
    // the deny targets the request action or a neighbouring one (then it does not apply)
    const denyAct = rng.weighted([[action, 3], ['ecr:*', 2], [rng.pick(['ecr:Delete*', 'ecr:Put*', 'ecr:BatchGetImage', 'ecr:Describe*']), 3], [{ not: rng.pick([action, 'ecr:Describe*', ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']]) }, 1]]);
    const actEl = typeof denyAct === 'object' && !Array.isArray(denyAct) ? { NotAction: denyAct.not } : { Action: denyAct };
    const dStmt = { Effect: 'Deny', ...actEl, Resource: rng.pick(['*', res]) };
    const identity = [doc(grantFor(rng, action, res), ...(variant === 'identity' ? [dStmt] : []))];
    let resource = null;
    const rules = ['R110', 'R122'];
    if (caller.account !== A) {
      resource = doc(rAllow(rng.pick([{ AWS: caller.account }, { AWS: caller.arn }]), rng.pick(['ecr:*', action])));
      rules.push('R116');
    }
    const o = { identity, resource, principal: caller, action, res };
    if (variant === 'resource') {
      const who = rng.pick([{ AWS: caller.arn }, { AWS: caller.account }, '*', ...(caller.kind === 'session' ? [{ AWS: caller.roleArn }] : [])]);
      const d = { Effect: 'Deny', Principal: who, ...actEl };
      resource = resource ? doc(...resource.Statement, d) : doc(d);
      o.resource = resource;
      rules.push('R57');
    }
    if (variant === 'boundary') o.pb = [doc(allow('*', '*'), { ...dStmt, Resource: '*' })];
    if (variant === 'session') o.session = doc(allow('*', '*'), { ...dStmt, Resource: '*' });
    if (variant === 'scp') o.scps = [FULL, doc({ ...dStmt, Resource: '*' })];
    // RCPs accept neither NotAction nor Action "*" (iam-policy validation; AWS RCP syntax)
    if (variant === 'rcp') o.rcps = [doc({ Effect: 'Deny', Principal: '*', Action: actEl.Action ?? action, Resource: '*' })];
    if (variant === 'boundary') rules.push('R119');
    if (variant === 'session') rules.push('R121');
    if (variant === 'scp') rules.push('R112');
    if (variant === 'rcp') rules.push('R111');
    const ctx = baseContext(rng, caller, action, res === '*' ? '*' : repo);
    return { c: mkCase({ ...o, context: ctx }), rules, note: `deny in ${variant}: ${JSON.stringify(actEl)}; caller ${caller.arn} ${action}` };
  }
};

// ---------------------------------------------------------------- service principals (R114)
const famService = {
  name: 'service',
  target: 50,
  variants: ['named', 'list', 'star', 'other-service', 'aws-account', 'deny', 'conditioned'],
  gen(rng, variant) {
    const svc = rng.pick(W.SERVICES);
    const other = W.SERVICES.find((s) => s !== svc);
    const repo = rng.pick(W.REPOS_A);
    const action = rng.pick(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:DescribeImages', 'ecr:PutImage', 'ecr:ListImages']);
    const ctx = baseContext(rng, svc, action, repo);
    const srcAcct = rng.pick([A, A, B]);
    ctx['aws:SourceAccount'] = srcAcct;
    ctx['aws:SourceArn'] = `arn:aws:codebuild:us-east-1:${srcAcct}:project/build-app`;
    const acts = rng.pick([action, 'ecr:*', W.PULL]);
    const rules = ['R114', 'R52'];
    let stmts;
    switch (variant) {
      case 'named': stmts = [rAllow({ Service: svc.service }, acts)]; break;
      case 'list': stmts = [rAllow({ Service: [other.service, svc.service] }, acts)]; break;
      case 'star': stmts = [rAllow('*', acts)]; break;
      case 'other-service': stmts = [rAllow({ Service: other.service }, acts)]; break;
      case 'aws-account': stmts = [rAllow({ AWS: A }, acts)]; rules.push('R57'); break;
      case 'deny': stmts = [rAllow({ Service: svc.service }, 'ecr:*'), rDeny(rng.pick([{ Service: svc.service }, '*']), rng.pick([action, 'ecr:Put*', 'ecr:Delete*']))]; rules.push('R110'); break;
      case 'conditioned':
        stmts = [rAllow({ Service: svc.service }, acts, { Condition: rng.pick([{ StringEquals: { 'aws:SourceAccount': A } }, { ArnLike: { 'aws:SourceArn': `arn:aws:codebuild:us-east-1:${A}:project/*` } }]) })];
        rules.push('R64');
        break;
    }
    return { c: mkCase({ resource: doc(...stmts), principal: svc, action, res: repoArn(repo.name), context: ctx }), rules, note: `${variant}: ${svc.service} ${action}; RP ${JSON.stringify(stmts.map((s) => [s.Effect, s.Principal]))}` };
  }
};

// ---------------------------------------------------------------- root user (R118)
const famRoot = {
  name: 'root',
  target: 50,
  variants: ['own-plain', 'own-rp-deny-account', 'own-rp-deny-star', 'own-rp-deny-cond', 'own-scp', 'b-root-rp', 'b-root-no-rp'],
  gen(rng, variant) {
    const caller = variant.startsWith('b-root') ? P.rootB : P.rootA;
    const repo = rng.pick(W.REPOS_A);
    const action = variant === 'own-plain' && rng.chance(0.3) ? rng.pick(W.WILDCARD_ONLY) : pickRepoAction(rng);
    const res = resOf(action, repo);
    const identity = [doc(allow(rng.pick(['*', 'ecr:*', action]), rng.pick(['*', res])))]; // R118: identity side counts as allowed
    const rules = ['R118'];
    let resource = null;
    let scps = null;
    const dAct = rng.pick([action, 'ecr:*', 'ecr:Delete*', 'ecr:SetRepositoryPolicy']);
    if (variant === 'own-rp-deny-account') resource = doc(rAllow({ AWS: A }, 'ecr:*'), rDeny({ AWS: rng.pick([A, rootArn(A)]) }, dAct));
    if (variant === 'own-rp-deny-star') resource = doc(rDeny('*', dAct));
    if (variant === 'own-rp-deny-cond') resource = doc(rDeny('*', dAct, { Condition: { StringNotEquals: { 'aws:PrincipalType': rng.pick(['Account', 'User']) } } }));
    if (variant.startsWith('own-rp')) rules.push('R110', 'R57');
    if (variant === 'own-scp') {
      scps = [rng.pick([[FULL], [doc(allow('s3:*', '*'))], [FULL, doc(deny(dAct, '*'))], [ECR_ALL]])];
      scps = scps[0];
      rules.push('R112');
    }
    if (variant === 'b-root-rp') {
      resource = doc(rAllow(rng.pick([{ AWS: B }, { AWS: rootArn(B) }, '*', { AWS: A }]), rng.pick([action, 'ecr:*'])));
      rules.push('R116', 'R120');
    }
    if (variant === 'b-root-no-rp') rules.push('R116');
    if (res === '*') resource = null;
    const ctx = baseContext(rng, caller, action, res === '*' ? '*' : repo);
    return { c: mkCase({ identity, resource, scps, principal: caller, action, res, context: ctx }), rules, note: `${variant}: ${caller.arn} ${action}` };
  }
};

// ---------------------------------------------------------------- NotPrincipal with complete layer lists (R58, R59)
const layersOf = (p, acctForm) => {
  const acct = acctForm === 'id' ? p.account : rootArn(p.account);
  if (p.kind === 'user') return [p.arn, acct];
  if (p.kind === 'session') return [p.arn, p.roleArn, acct];
  return [acct];
};
const famNotPrincipal = {
  name: 'notprincipal',
  target: 60,
  variants: ['listed-caller', 'unlisted-other-account', 'listed-with-boundary', 'unlisted-with-boundary'],
  gen(rng, variant) {
    const listedSide = rng.pick([W.PRINCIPALS_A, W.PRINCIPALS_B]);
    const listed = rng.sample(listedSide, rng.int(1, 2));
    const listAcct = listed[0].account;
    const entries = uniq(listed.flatMap((p) => layersOf(p, rng.pick(['id', 'root']))));
    let caller;
    if (variant.startsWith('listed')) caller = rng.pick(listed);
    else caller = rng.pick((listAcct === A ? W.PRINCIPALS_B : W.PRINCIPALS_A));
    const repo = rng.pick(W.REPOS_A);
    const action = pickRepoAction(rng);
    const dAct = rng.pick([action, 'ecr:*', 'ecr:Delete*', ['ecr:DeleteRepository', 'ecr:SetRepositoryPolicy']]);
    const stmts = [{ Effect: 'Deny', NotPrincipal: { AWS: one(entries) }, Action: dAct }];
    if (caller.account !== A || rng.chance(0.3)) stmts.unshift(rAllow({ AWS: caller.account }, 'ecr:*'));
    const pb = variant.endsWith('with-boundary') ? [doc(allow('*', '*'))] : null;
    const identity = [doc(grantFor(rng, action, repoArn(repo.name)))];
    const rules = ['R58', 'R110', ...(pb ? ['R59', 'R119'] : []), ...(caller.account !== A ? ['R116'] : [])];
    const ctx = baseContext(rng, caller, action, repo);
    return { c: mkCase({ identity, resource: doc(...stmts), pb, principal: caller, action, res: repoArn(repo.name), context: ctx }), rules, note: `${variant}: Deny NotPrincipal ${JSON.stringify(entries)} ${JSON.stringify(dAct)}; caller ${caller.arn} ${action}` };
  }
};

// ---------------------------------------------------------------- tag-based access control (R140-R145, R62)
const famTags = {
  name: 'tags',
  target: 110,
  variants: ['abac-push', 'resource-tag-deny', 'ecr-vs-aws-prefix', 'request-tag-create', 'tag-protection', 'tag-key-case', 'principal-tag', 'untagged-repo'],
  gen(rng, variant) {
    const caller = rng.pick(W.PRINCIPALS_A);
    let repo = rng.pick(W.REPOS_A);
    let action = pickRepoAction(rng);
    const tags = { ...caller.tags };
    if (rng.chance(0.25)) delete tags.team;
    let ctxOpts = { tags };
    let identity;
    let rules;
    switch (variant) {
      case 'abac-push':
        action = rng.pick(W.PUSH);
        identity = [doc(allow(W.PUSH, `arn:aws:ecr:*:${A}:repository/*`, { Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } }))];
        rules = ['R145', 'R100', 'R101', 'R66'];
        break;
      case 'resource-tag-deny':
        identity = [doc(allow('ecr:*', '*'), deny(rng.pick(['ecr:Delete*', 'ecr:BatchDeleteImage', 'ecr:PutImage', action]), '*', { Condition: { StringEquals: { 'aws:ResourceTag/env': rng.pick(['prod', ['prod', 'staging']]) } } }))];
        rules = ['R110', 'R64', 'R142'];
        break;
      case 'ecr-vs-aws-prefix': {
        const k = rng.pick(['team', 'env']);
        const v = rng.pick(k === 'team' ? ['a', 'core', 'b'] : ['prod', 'dev']);
        identity = [doc(allow('ecr:*', '*', { Condition: { StringEquals: { [`${rng.pick(['ecr', 'aws'])}:ResourceTag/${k}`]: v } } }))];
        rules = ['R140'];
        break;
      }
      case 'request-tag-create': {
        action = rng.pick(['ecr:CreateRepository', 'ecr:TagResource']);
        if (action === 'ecr:CreateRepository') repo = { name: rng.pick(['team-a/new', 'svc/new']), account: A, tags: {} };
        const rt = {};
        if (rng.chance(0.8)) rt.team = rng.pick(['a', 'core', 'b', tags.team ?? 'x']);
        if (rng.chance(0.5)) rt.env = rng.pick(['dev', 'prod']);
        ctxOpts = { ...ctxOpts, reqTags: rt };
        identity = [doc(allow(['ecr:CreateRepository', 'ecr:TagResource'], '*', { Condition: rng.pick([
          { StringEquals: { 'aws:RequestTag/team': '${aws:PrincipalTag/team}' } },
          { StringEquals: { 'aws:RequestTag/team': '${aws:PrincipalTag/team}' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } },
          { StringLike: { 'aws:RequestTag/env': ['dev', 'test*'] } },
          { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' }, Null: { 'aws:RequestTag/team': 'false' } }
        ]) }))];
        rules = ['R143', 'R129', 'R100', 'R70', 'R71'];
        break;
      }
      case 'tag-protection': {
        action = rng.pick(['ecr:TagResource', 'ecr:UntagResource']);
        const keys = rng.sample(['owner', 'team', 'env', 'cost-center'], rng.int(1, 2));
        ctxOpts = action === 'ecr:TagResource' ? { ...ctxOpts, reqTags: Object.fromEntries(keys.map((k) => [k, 'x'])) } : { ...ctxOpts, untagKeys: keys };
        identity = [doc(allow('ecr:*', '*'), deny(['ecr:TagResource', 'ecr:UntagResource'], '*', { Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': rng.pick(['owner', ['owner', 'cost-center']]) } } }))];
        rules = ['R144', 'R71', 'R110'];
        break;
      }
      case 'tag-key-case':
        identity = [doc(allow('ecr:*', '*', { Condition: { StringEquals: { [rng.pick(['aws:resourcetag/Team', 'AWS:ResourceTag/TEAM', 'aws:ResourceTag/team'])]: rng.pick(['a', 'core', 'b']) } } }))];
        rules = ['R62'];
        break;
      case 'principal-tag':
        identity = [doc(allow('ecr:*', '*', { Condition: { [rng.pick(['StringEquals', 'StringLike', 'StringEqualsIfExists'])]: { [`aws:PrincipalTag/${rng.pick(['team', 'dept', 'env'])}`]: rng.pick(['core', 'a', 'eng', 'ci', 'c*']) } } }))];
        rules = ['R62', 'R66', 'R68'];
        break;
      case 'untagged-repo':
        repo = rng.pick([W.repoOf('tools'), W.repoOf('team-b/api'), W.repoOf('alice')]);
        {
          // Null takes only true/false (R69); the other operators compare against a tag value.
          // Both picks are made in this order so that the random stream stays the same.
          const denyAction = rng.pick([action, 'ecr:*']);
          const op = rng.pick(['Null', 'StringNotEquals', 'StringNotEqualsIfExists']);
          const value = rng.pick(['true', 'prod']);
          identity = [doc(allow('ecr:*', '*'), deny(denyAction, '*', { Condition: { [op]: { 'aws:ResourceTag/env': op === 'Null' ? 'true' : value } } }))];
        }
        rules = ['R69', 'R67', 'R142', 'R110'];
        break;
    }
    const res = repoArn(repo.name);
    const ctx = baseContext(rng, caller, action, repo, ctxOpts);
    return { c: mkCase({ identity, principal: caller, action, res, context: ctx }), rules, note: `${variant}: ${JSON.stringify(identity[0].Statement.at(-1).Condition)}; ${caller.arn} ${action} on ${repo.name}` };
  }
};

// ---------------------------------------------------------------- rejected policies (expected "error")
const REJECTS = [
  ['principal-in-identity', ['R24'], (s) => ({ ...s, Principal: '*' })],
  ['lowercase-effect', ['R16'], (s) => ({ ...s, Effect: s.Effect.toLowerCase() })],
  ['action-and-notaction', ['R17'], (s) => ({ ...s, NotAction: 's3:*' })],
  ['no-action', ['R17'], ({ Action, ...s }) => s],
  ['no-resource', ['R18', 'R24'], ({ Resource, ...s }) => s],
  ['resource-and-notresource', ['R18'], (s) => ({ ...s, NotResource: 'arn:aws:s3:::b' })],
  ['unknown-element', ['R4'], ({ Action, ...s }) => ({ ...s, Actions: Action })],
  ['null-value', ['R6'], (s) => ({ ...s, Action: null })],
  ['operator-array', ['R27'], (s) => ({ ...s, Condition: { StringEquals: [{ 'aws:PrincipalTag/team': 'a' }] } })],
  ['action-two-colons', ['R35'], (s) => ({ ...s, Action: 'ecr:Batch:GetImage' })],
  ['variable-in-action', ['R99', 'R35'], (s) => ({ ...s, Action: 'ecr:${aws:username}' })]
];
const famReject = {
  name: 'reject',
  target: 40,
  variants: [...REJECTS.map(([n]) => n), 'bad-version', 'no-statement', 'rp-principal-and-notprincipal'],
  errorExpected: true,
  gen(rng, variant) {
    const caller = rng.pick(W.SESSIONS_A);
    const repo = rng.pick(W.REPOS_A);
    const action = pickRepoAction(rng);
    const res = repoArn(repo.name);
    const ctx = baseContext(rng, caller, action, repo);
    const where = rng.pick(['identity', 'boundary', 'session', 'scp']);
    const good = allow(rng.pick([action, 'ecr:*']), '*');
    let bad;
    let rules;
    if (variant === 'bad-version') {
      bad = { Version: rng.pick(['2012-10-18', '2024-01-01', '1']), Statement: [good] };
      rules = ['R8'];
    } else if (variant === 'no-statement') {
      bad = { Version: W.V12 };
      rules = ['R15'];
    } else if (variant === 'rp-principal-and-notprincipal') {
      return {
        c: mkCase({ identity: [ECR_ALL], resource: doc({ Effect: 'Deny', Principal: '*', NotPrincipal: { AWS: caller.arn }, Action: 'ecr:*' }), principal: caller, action, res, context: ctx }),
        rules: ['R19'],
        note: 'repository policy statement with both Principal and NotPrincipal'
      };
    } else {
      const [, r, f] = REJECTS.find(([n]) => n === variant);
      bad = doc(f(good));
      rules = r;
    }
    const o = { identity: [ECR_ALL], principal: caller, action, res, context: ctx };
    if (where === 'identity') o.identity = [ECR_ALL, bad];
    if (where === 'boundary') o.pb = [bad];
    if (where === 'session') o.session = bad;
    if (where === 'scp') o.scps = [FULL, bad];
    return { c: mkCase(o), rules, note: `invalid ${where} policy: ${variant}` };
  }
};

// ================================================================= pipeline
const FAMILIES = [famCondOp, famCondSet, famCondMulti, famVars, famAction, famResource, famRpPrincipal, famCross, famPB, famSession, famSCP, famRCP, famDeny, famService, famRoot, famNotPrincipal, famTags, famReject];
const OVERSAMPLE = 4;

function main() {
  const info = oracleInfo(ORACLE);
  if (info.version !== '0.1.173') console.error(`warning: oracle iam-simulate version ${info.version}, corpus documented for 0.1.173`);
  const source = `oracle @cloud-copilot/iam-simulate ${info.version} via tools/casegen/gen.mjs seed ${SEED}`;

  // 1. candidates
  const cands = [];
  const seen = new Set();
  const stats = {};
  for (const fam of FAMILIES) {
    const rng = new Rng((SEED ^ hashSeed(fam.name)) >>> 0);
    const target = Math.round(fam.target * SCALE);
    const st = (stats[fam.name] = { target, candidates: 0, duplicate: 0, error: 0, ignoredKeys: 0, divergence: 0, unsupported: 0, modelMismatch: 0, kept: 0, reasons: {} });
    const want = target * OVERSAMPLE;
    for (let i = 0, tries = 0; i < want && tries < want * 5; tries++) {
      const variant = fam.variants[i % fam.variants.length];
      const g = fam.gen(rng.fork(`${fam.name}/${tries}`), variant);
      if (!g) continue;
      i++;
      const key = JSON.stringify(g.c);
      if (seen.has(key)) {
        st.duplicate++;
        continue;
      }
      seen.add(key);
      cands.push({ fam, variant, ...g });
      st.candidates++;
    }
  }

  // 2. oracle
  const results = runOracle(ORACLE, cands.map((x) => x.c));

  // 3. filter
  const valid = [];
  const dropped = [];
  cands.forEach((x, i) => {
    const st = stats[x.fam.name];
    const o = results[i];
    const ans = answerOf(o);
    const bump = (k, why) => {
      st[k]++;
      if (why) st.reasons[why] = (st.reasons[why] ?? 0) + 1;
      if (DUMP_DROPPED) dropped.push(JSON.stringify({ family: x.fam.name, variant: x.variant, dropped: k, why, oracle: ans, oracleError: o.error ?? undefined, ...x.c, note: x.note }));
    };
    if (x.fam.errorExpected) {
      if (ans !== 'error') return bump('modelMismatch', `expected a rejection, oracle ${ans}`);
      return valid.push({ ...x, ans });
    }
    if (ans === 'error') return bump('error', o.error.slice(0, 90));
    if (o.ignoredContextKeys) return bump('ignoredKeys', o.ignoredContextKeys.join(','));
    const m = evaluate(x.c);
    if (m.divergence) return bump('divergence', m.divergence);
    if (m.unsupported) return bump('unsupported', m.unsupported);
    if (m.decision !== ans) return bump('modelMismatch', `${x.fam.name}/${x.variant}: model ${m.decision} oracle ${ans}`);
    valid.push({ ...x, ans });
  });

  if (DUMP_DROPPED) writeFileSync(DUMP_DROPPED, dropped.join('\n') + '\n');

  // 4. select: round-robin over variants per family, steering the global decision mix
  const selected = [];
  const counts = { Allow: 0, ImplicitDeny: 0, ExplicitDeny: 0 };
  const pool = new Map();
  for (const v of valid) {
    const k = `${v.fam.name}\u0000${v.variant}`;
    if (!pool.has(k)) pool.set(k, []);
    pool.get(k).push(v);
  }
  const deficit = (d) => {
    const n = counts.Allow + counts.ImplicitDeny + counts.ExplicitDeny;
    return MIX[d] * (n + 1) - counts[d];
  };
  for (const fam of FAMILIES) {
    const st = stats[fam.name];
    const lists = fam.variants.map((v) => pool.get(`${fam.name}\u0000${v}`) ?? []);
    let taken = 0;
    let progress = true;
    while (taken < st.target && progress) {
      progress = false;
      for (const list of lists) {
        if (taken >= st.target) break;
        if (list.length === 0) continue;
        let idx = 0;
        if (!fam.errorExpected) {
          let best = -Infinity;
          list.forEach((x, j) => {
            const d = deficit(x.ans);
            if (d > best) {
              best = d;
              idx = j;
            }
          });
        }
        const [x] = list.splice(idx, 1);
        selected.push(x);
        if (x.ans in counts) counts[x.ans]++;
        taken++;
        progress = true;
      }
    }
    st.kept = taken;
  }

  // 5. write
  const famCounters = {};
  const lines = selected.map((x) => {
    const n = (famCounters[x.fam.name] = (famCounters[x.fam.name] ?? 0) + 1);
    const id = `G-${x.fam.name}-${String(n).padStart(4, '0')}`;
    return JSON.stringify({ id, rules: ruleSort(x.rules), ...x.c, expected: x.ans, oracle: x.ans, note: x.note, source });
  });
  writeFileSync(OUT, lines.join('\n') + '\n');

  const total = selected.length;
  const errs = selected.filter((x) => x.ans === 'error').length;
  const pct = (n) => `${((100 * n) / total).toFixed(1)}%`;
  console.error(`wrote ${total} cases to ${OUT} (${source})`);
  console.error(`decisions: Allow ${counts.Allow} (${pct(counts.Allow)}), ImplicitDeny ${counts.ImplicitDeny} (${pct(counts.ImplicitDeny)}), ExplicitDeny ${counts.ExplicitDeny} (${pct(counts.ExplicitDeny)}), error ${errs} (${pct(errs)})`);
  console.error('family            target  cand   kept  dup  err  ign  div  unsup  mismatch');
  for (const [name, s] of Object.entries(stats)) {
    console.error(`${name.padEnd(17)} ${String(s.target).padStart(6)} ${String(s.candidates).padStart(5)} ${String(s.kept).padStart(6)} ${String(s.duplicate).padStart(4)} ${String(s.error).padStart(4)} ${String(s.ignoredKeys).padStart(4)} ${String(s.divergence).padStart(4)} ${String(s.unsupported).padStart(6)} ${String(s.modelMismatch).padStart(9)}`);
  }
  if (STATS) {
    for (const [name, s] of Object.entries(stats)) {
      for (const [why, n] of Object.entries(s.reasons).sort((a, b) => b[1] - a[1])) console.error(`  ${name}: ${n} x ${why}`);
    }
  }
  const short = FAMILIES.filter((f) => stats[f.name].kept < stats[f.name].target);
  if (short.length) console.error(`note: below target: ${short.map((f) => `${f.name} ${stats[f.name].kept}/${stats[f.name].target}`).join(', ')}`);
}

main();
