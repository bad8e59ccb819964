#!/usr/bin/env node
// Writes corpus/decisions/worked.jsonl: the worked cases C01-C44 (policy-semantics.md §5.7) and
// the condition probes E05-E20 + N5 (§5.8) as executable oracle cases. "expected" is the
// NORMATIVE answer of the spec; "oracle" is what iam-simulate answers (run here).
//
//   node tools/casegen/worked.mjs [--oracle DIR] [--out corpus/decisions/worked.jsonl] [--check]
//
// --check additionally evaluates every case with the generator's spec model (lib/model.mjs)
// and prints disagreements with "expected" (sanity check of the model, not of the spec).
import { writeFileSync } from 'node:fs';
import { runOracle, answerOf, oracleInfo } from './lib/run-oracle.mjs';
import { evaluate } from './lib/model.mjs';
import { A, B, REPO, repoArn, userArn, roleArn, sessArn, rootArn, V08, doc, allow, deny, rAllow, rDeny, rcpDeny } from './lib/world.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const ORACLE = opt('--oracle', process.env.ORACLE_DIR ?? '/tmp/oracle');
const OUT = opt('--out', 'corpus/decisions/worked.jsonl');

const alice = userArn('alice');
const admin = userArn('admin');
const bob = userArn('bob', B);
const ci = roleArn('ci');
const run1 = sessArn('ci', 'run1');
const ECR_ALL = doc(allow('ecr:*', '*'));

const ident = {
  alice: { 'aws:PrincipalArn': alice, 'aws:PrincipalAccount': A, 'aws:PrincipalType': 'User', 'aws:username': 'alice' },
  admin: { 'aws:PrincipalArn': admin, 'aws:PrincipalAccount': A, 'aws:PrincipalType': 'User', 'aws:username': 'admin' },
  bob: { 'aws:PrincipalArn': bob, 'aws:PrincipalAccount': B, 'aws:PrincipalType': 'User', 'aws:username': 'bob' },
  run1: { 'aws:PrincipalArn': ci, 'aws:PrincipalAccount': A, 'aws:PrincipalType': 'AssumedRole' }
};
const who = { [alice]: ident.alice, [admin]: ident.admin, [bob]: ident.bob, [run1]: ident.run1 };

const cases = [];
function c(id, rules, expected, note, o = {}) {
  const principal = o.principal ?? alice;
  const context = o.context ?? { ...(who[principal] ?? {}), ...(o.ctx ?? {}) };
  const request = { principal, action: o.action ?? 'ecr:BatchGetImage', resource: o.res ?? REPO };
  if (o.resourceAccount) request.resourceAccount = o.resourceAccount;
  request.context = context;
  cases.push({
    id,
    rules,
    identityPolicies: o.identity ?? [],
    resourcePolicy: o.rp ?? null,
    permissionBoundaries: o.pb ?? null,
    scps: o.scps ?? null,
    rcps: o.rcps ?? null,
    sessionPolicy: o.sp ?? null,
    request,
    expected,
    note,
    ...(o.divergence ? { divergence: o.divergence } : {})
  });
}

// ---------------------------------------------------------------- §5.7 worked examples
c('C01', ['R115'], 'Allow', 'identity policy allows BatchGetImage on the repo ARN (identity path)',
  { identity: [doc(allow('ecr:BatchGetImage', REPO))] });
c('C02', ['R115', 'R52'], 'Allow', 'same account: repo policy naming the user ARN grants alone',
  { rp: doc(rAllow({ AWS: alice }, 'ecr:BatchGetImage')) });
c('C03', ['R115', 'R55', 'R124'], 'Allow', 'repo policy names role/ci; its session is granted at role strength (no PB/SP)',
  { principal: run1, rp: doc(rAllow({ AWS: ci }, 'ecr:BatchGetImage')) });
c('C04', ['R110', 'R122'], 'ExplicitDeny', 'identity allows ecr:*, repo policy denies alice PutImage',
  { action: 'ecr:PutImage', identity: [ECR_ALL], rp: doc(rDeny({ AWS: alice }, 'ecr:PutImage')) });
c('C05', ['R116', 'R120'], 'Allow', 'cross-account: repo policy allows account B and bob\'s identity policy allows',
  { principal: bob, identity: [doc(allow('ecr:BatchGetImage', '*'))], rp: doc(rAllow({ AWS: B }, 'ecr:BatchGetImage')) });
c('C06', ['R120', 'R116', 'R52'], 'ImplicitDeny', 'repo policy delegates to B (root ARN form) but bob has no identity allow',
  { principal: bob, rp: doc(rAllow({ AWS: rootArn(B) }, 'ecr:BatchGetImage')) });
c('C07', ['R116'], 'ImplicitDeny', 'cross-account with identity allow but no repository policy',
  { principal: bob, identity: [doc(allow('ecr:*', '*'))] });
c('C08', ['R115', 'R52', 'R124'], 'Allow', 'Principal "*" is a direct grant in the same account',
  { rp: doc(rAllow('*', 'ecr:BatchGetImage')) });
c('C09', ['R58', 'R110'], 'ExplicitDeny', 'Deny DeleteRepository NotPrincipal [user/admin, A root]; caller alice is not exempt (her own layer is not listed)',
  { action: 'ecr:DeleteRepository', identity: [ECR_ALL], rp: doc({ Effect: 'Deny', NotPrincipal: { AWS: [admin, rootArn(A)] }, Action: 'ecr:DeleteRepository' }),
    divergence: 'R58: iam-simulate treats the listed account ARN as exempting every principal of account A; the spec (layered NotPrincipal) exempts only callers whose every identity layer is listed' });
c('C10', ['R58', 'R115'], 'Allow', 'as C09, caller admin: user and account layers both listed -> exempt; identity allows',
  { principal: admin, action: 'ecr:DeleteRepository', identity: [ECR_ALL], rp: doc({ Effect: 'Deny', NotPrincipal: { AWS: [admin, rootArn(A)] }, Action: 'ecr:DeleteRepository' }) });
c('C11', ['R110', 'R112'], 'ExplicitDeny', 'SCP allows * but denies ecr:DeleteRepository',
  { action: 'ecr:DeleteRepository', identity: [ECR_ALL], scps: [doc(allow('*', '*'), deny('ecr:DeleteRepository', '*'))] });
c('C12', ['R112'], 'ImplicitDeny', 'the only SCP allows s3:* only',
  { identity: [ECR_ALL], scps: [doc(allow('s3:*', '*'))] });
c('C13', ['R119', 'R115'], 'ImplicitDeny', 'permissions boundary allows only BatchGetImage; PutImage capped',
  { action: 'ecr:PutImage', identity: [ECR_ALL], pb: [doc(allow('ecr:BatchGetImage', '*'))] });
c('C14', ['R115', 'R119'], 'Allow', 'repo policy naming alice\'s user ARN bypasses her boundary (same account)',
  { action: 'ecr:PutImage', pb: [doc(allow('ecr:BatchGetImage', '*'))], rp: doc(rAllow({ AWS: alice }, 'ecr:PutImage')) });
c('C15', ['R115', 'R119', 'R124'], 'ImplicitDeny', 'role-ARN grant is capped by the role\'s boundary',
  { principal: run1, action: 'ecr:PutImage', pb: [doc(allow('ecr:BatchGetImage', '*'))], rp: doc(rAllow({ AWS: ci }, 'ecr:PutImage')) });
c('C16', ['R115', 'R119', 'R55'], 'Allow', 'session-ARN grant bypasses the role\'s boundary',
  { principal: run1, action: 'ecr:PutImage', pb: [doc(allow('ecr:BatchGetImage', '*'))], rp: doc(rAllow({ AWS: run1 }, 'ecr:PutImage')) });
c('C17', ['R67', 'R110'], 'ExplicitDeny', 'Deny with StringNotEquals aws:PrincipalTag/team=core; alice has no tags (absent key -> negated operator true)',
  { identity: [doc(allow('ecr:*', '*'), deny('ecr:*', '*', { Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'core' } } }))] });
c('C18', ['R70', 'R129'], 'Allow', 'ForAllValues:StringEquals aws:TagKeys [team, env] is vacuously true for CreateRepository without tags',
  { action: 'ecr:CreateRepository', identity: [doc(allow('ecr:CreateRepository', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } } }))] });
c('C19', ['R71', 'R129'], 'ImplicitDeny', 'ForAnyValue:StringEquals aws:TagKeys on CreateRepository without tags is false',
  { action: 'ecr:CreateRepository', identity: [doc(allow('ecr:CreateRepository', '*', { Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team', 'env'] } } }))] });
c('C20', ['R45'], 'Allow', '"*" in the resource part crosses "/": repository/team-* matches team-a/app',
  { res: repoArn('team-a/app'), identity: [doc(allow('ecr:BatchGetImage', `arn:aws:ecr:*:${A}:repository/team-*`))] });
c('C21', ['R36'], 'Allow', 'action matching is case-insensitive (ECR:batchgetIMAGE)',
  { identity: [doc(allow('ECR:batchgetIMAGE', '*'))] });
c('C22', ['R46'], 'ImplicitDeny', 'resource matching is case-sensitive (repository/Team-* vs team-a)',
  { res: repoArn('team-a'), identity: [doc(allow('ecr:BatchGetImage', `arn:aws:ecr:us-east-1:${A}:repository/Team-*`))] });
c('C23', ['R50', 'R117'], 'ImplicitDeny', 'wildcard-only action GetAuthorizationToken is not matched by a repository ARN',
  { action: 'ecr:GetAuthorizationToken', res: '*', identity: [doc(allow('ecr:GetAuthorizationToken', REPO))] });
c('C24', ['R100', 'R101', 'R105', 'R51'], 'ImplicitDeny', 'role session has no aws:username: ${aws:username} in Resource matches nothing',
  { principal: run1, res: repoArn('ci'), identity: [doc(allow('ecr:BatchGetImage', `arn:aws:ecr:us-east-1:${A}:repository/\${aws:username}`))] });
c('C25', ['R100', 'R97', 'R51'], 'Allow', '${aws:username} resolves to alice for the IAM user',
  { res: repoArn('alice'), identity: [doc(allow('ecr:BatchGetImage', `arn:aws:ecr:us-east-1:${A}:repository/\${aws:username}`))] });
c('C26', ['R64', 'R86', 'R110'], 'ExplicitDeny', 'Deny if NotIpAddress [203.0.113.0/24, 2001:db8::/32]; caller 198.51.100.7 is in neither (NOR)',
  { ctx: { 'aws:SourceIp': '198.51.100.7' }, identity: [doc(allow('ecr:*', '*'), deny('ecr:*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } } }))] });
c('C27', ['R69', 'R110'], 'ExplicitDeny', 'Deny PutImage if Null aws:ResourceTag/env = true; repository untagged',
  { action: 'ecr:PutImage', identity: [doc(allow('ecr:*', '*'), deny('ecr:PutImage', '*', { Condition: { Null: { 'aws:ResourceTag/env': 'true' } } }))] });
c('C28', ['R66', 'R61'], 'ImplicitDeny', 'plain StringEquals on the multi-valued aws:TagKeys never matches',
  { action: 'ecr:TagResource', ctx: { 'aws:TagKeys': ['env'], 'aws:RequestTag/env': 'dev' }, identity: [doc(allow('ecr:TagResource', '*', { Condition: { StringEquals: { 'aws:TagKeys': 'env' } } }))] });
c('C29', ['R71'], 'Allow', 'Deny TagResource if ForAnyValue:StringNotEquals aws:TagKeys [env, team]; no keys -> false, Deny not applicable',
  { action: 'ecr:TagResource', identity: [doc(allow('ecr:*', '*'), deny('ecr:TagResource', '*', { Condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['env', 'team'] } } }))] });
c('C30', ['R105', 'R125', 'R90'], 'Allow', 'Principal "*" + ArnLike aws:PrincipalArn role/c*; a session\'s aws:PrincipalArn is the role ARN',
  { principal: run1, rp: doc(rAllow('*', 'ecr:BatchGetImage', { Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/c*` } } })) });
c('C31', ['R10', 'R9'], 'ImplicitDeny', 'Version 2008-10-17: ${aws:username} is literal text, so Resource never matches repository/alice',
  { res: repoArn('alice'), identity: [{ Version: V08, Statement: [allow('ecr:BatchGetImage', `arn:aws:ecr:us-east-1:${A}:repository/\${aws:username}`)] }],
    divergence: 'R10: iam-simulate substitutes policy variables regardless of Version; under 2008-10-17 ${aws:username} is literal text' });
c('C32', ['R110', 'R57'], 'ExplicitDeny', 'repo policy allows * ecr:* but denies account B BatchGetImage (account-level deny)',
  { principal: bob, identity: [doc(allow('ecr:BatchGetImage', '*'))], rp: doc(rAllow('*', 'ecr:*'), rDeny({ AWS: B }, 'ecr:BatchGetImage')) });
c('C33', ['R110', 'R111', 'R68'], 'ExplicitDeny', 'RCP denies ecr:* when StringNotEqualsIfExists aws:PrincipalOrgID o-mine; bob is in another org',
  { principal: bob, ctx: { 'aws:PrincipalOrgID': 'o-zz99yy88xx' }, identity: [doc(allow('ecr:BatchGetImage', '*'))], rp: doc(rAllow({ AWS: B }, 'ecr:BatchGetImage')),
    rcps: [doc(rcpDeny('ecr:*', { Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-aa11bb22cc' } } }))] });
c('C34', ['R117', 'R50'], 'ImplicitDeny', 'a repository policy granting the wildcard-only GetAuthorizationToken has no effect',
  { action: 'ecr:GetAuthorizationToken', res: '*', rp: doc(rAllow({ AWS: alice }, 'ecr:GetAuthorizationToken')),
    divergence: 'R117: iam-simulate applies the repository policy to the "*" resource of a wildcard-only action; the spec never consults resource policies for them' });
c('C35', ['R59', 'R110'], 'ExplicitDeny', 'Deny NotPrincipal alice in the repo policy always applies to a caller with a permissions boundary',
  { identity: [doc(allow('ecr:*', '*'))], pb: [doc(allow('*', '*'))], rp: doc({ Effect: 'Deny', NotPrincipal: { AWS: alice }, Action: 'ecr:*' }) });
c('C36', ['R39'], 'ImplicitDeny', 'Allow NotAction ecr:Delete* does not cover DeleteRepository',
  { action: 'ecr:DeleteRepository', identity: [doc({ Effect: 'Allow', NotAction: 'ecr:Delete*', Resource: '*' })] });
c('C37', ['R49', 'R110'], 'ExplicitDeny', 'Deny ecr:* NotResource repository/team-a/*: repo app is outside, so the Deny applies',
  { identity: [doc(allow('ecr:*', '*'), { Effect: 'Deny', Action: 'ecr:*', NotResource: `arn:aws:ecr:us-east-1:${A}:repository/team-a/*` })] });
c('C38', ['R37'], 'Allow', '"?" matches exactly one character: ecr:???Image matches PutImage',
  { action: 'ecr:PutImage', identity: [doc(allow('ecr:???Image', '*'))] });
c('C39', ['R46'], 'ImplicitDeny', 'ARN segments are case-sensitive: arn:AWS:ECR:... does not match arn:aws:ecr:...',
  { identity: [doc(allow('ecr:*', `arn:AWS:ECR:us-east-1:${A}:repository/app`))],
    divergence: 'R46: iam-simulate compares partition/service/region/account case-insensitively; the spec is case-sensitive in every segment' });
c('C40', ['R103', 'R98'], 'Allow', 'StringEquals "a${*}b" equals the literal value a*b',
  { ctx: { 'aws:PrincipalTag/x': 'a*b' }, identity: [doc(allow('ecr:*', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/x': 'a${*}b' } } }))],
    divergence: 'R103: iam-simulate keeps ${*} as the literal text "${*}" in Equals operators instead of "*"' });
c('C41', ['R73'], 'ImplicitDeny', 'ForAnyValue:Null is always false',
  { action: 'ecr:TagResource', identity: [doc(allow('ecr:*', '*', { Condition: { 'ForAnyValue:Null': { 'aws:TagKeys': 'true' } } }))],
    divergence: 'R73: iam-simulate ignores the set qualifier and evaluates plain Null (true for the absent key)' });
c('C42', ['R80', 'R82'], 'Allow', 'DateGreaterThan 2020-01-01T00:00:00Z vs epoch request time 1700000000 (2023-11-14)',
  { ctx: { 'aws:CurrentTime': '1700000000' }, identity: [doc(allow('ecr:*', '*', { Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } }))],
    divergence: 'R82: iam-simulate compares epoch seconds with ISO milliseconds when the forms are mixed' });
c('C43', ['R66', 'R143'], 'ImplicitDeny', 'StringEquals aws:RequestTag/env=dev on CreateRepository without tags (absent key)',
  { action: 'ecr:CreateRepository', identity: [doc(allow('ecr:CreateRepository', '*', { Condition: { StringEquals: { 'aws:RequestTag/env': 'dev' } } }))] });
c('C44', ['R163', 'R166', 'R115'], 'Allow', 'authorization of PutImage is Allow; tag immutability (ImageTagAlreadyExistsException) is a separate, later step',
  { action: 'ecr:PutImage', identity: [ECR_ALL] });

// ---------------------------------------------------------------- §5.8 condition probes
// identity policy Allow ecr:* on * with the condition; caller alice; action ecr:TagResource.
function e(id, rules, expected, note, cond, ctx, extra = {}) {
  c(id, rules, expected, note, { action: 'ecr:TagResource', ctx, identity: [doc(allow('ecr:*', '*', { Condition: cond }))], ...extra });
}
e('E05', ['R88'], 'ImplicitDeny', 'IPv6 request address is outside an IPv4 range', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '2001:db8::1' });
e('E06', ['R88', 'R67'], 'Allow', 'NotIpAddress IPv4 range, IPv6 request -> true', { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '2001:db8::1' });
e('E07', ['R87'], 'Allow', 'host bits right of the prefix are ignored (203.0.113.77/24)', { IpAddress: { 'aws:SourceIp': '203.0.113.77/24' } }, { 'aws:SourceIp': '203.0.113.5' });
e('E08', ['R83'], 'Allow', 'Bool policy value "TRUE" is case-insensitive', { Bool: { 'aws:SecureTransport': 'TRUE' } }, { 'aws:SecureTransport': 'true' });
e('E09', ['R83', 'R22'], 'Allow', 'Bool policy value as JSON boolean true', { Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'true' });
e('E10', ['R79', 'R78'], 'error', 'NumericLessThan with policy value "abc" is a compile-time error', { NumericLessThan: { 'aws:MultiFactorAuthAge': 'abc' } }, { 'aws:MultiFactorAuthAge': '5' },
  { divergence: 'R79: iam-simulate accepts the non-numeric policy value and evaluates the condition as no match; the spec rejects the policy' });
e('E12', ['R62'], 'ImplicitDeny', 'StringLike is case-sensitive: ABC* vs abcd', { StringLike: { 'aws:PrincipalTag/x': 'ABC*' } }, { 'aws:PrincipalTag/x': 'abcd' });
e('E13', ['R62'], 'Allow', 'condition key names are case-insensitive (AWS:PRINCIPALTAG/X)', { StringEquals: { 'AWS:PRINCIPALTAG/X': 'a' } }, { 'aws:PrincipalTag/x': 'a' });
e('E14', ['R68'], 'Allow', 'StringEqualsIfExists on an absent key is true', { StringEqualsIfExists: { 'aws:PrincipalTag/x': 'a' } }, {});
e('E15', ['R70'], 'Allow', 'ForAllValues:StringLike [team*, env]: every request key matches', { 'ForAllValues:StringLike': { 'aws:TagKeys': ['team*', 'env'] } }, { 'aws:TagKeys': ['team-a', 'env'], 'aws:RequestTag/team-a': 'x', 'aws:RequestTag/env': 'dev' });
e('E16', ['R70'], 'ImplicitDeny', 'ForAllValues:StringLike [team*, env]: owner matches neither', { 'ForAllValues:StringLike': { 'aws:TagKeys': ['team*', 'env'] } }, { 'aws:TagKeys': ['team-a', 'owner'], 'aws:RequestTag/team-a': 'x', 'aws:RequestTag/owner': 'alice' });
e('E18', ['R97', 'R100'], 'Allow', 'variable default used when aws:PrincipalTag/team is absent', { StringEquals: { 'aws:PrincipalTag/x': "${aws:PrincipalTag/team, 'none'}" } }, { 'aws:PrincipalTag/x': 'none' });
e('E19', ['R29', 'R93'], 'error', 'unknown condition operator StringEqualz rejects the policy', { StringEqualz: { 'aws:PrincipalTag/x': 'a' } }, { 'aws:PrincipalTag/x': 'a' },
  { divergence: 'R29: iam-simulate accepts the unknown operator and evaluates it as no match; the spec rejects the policy' });
e('E20', ['R78'], 'Allow', 'NumericEquals "1.0" equals request 1 (exact decimal)', { NumericEquals: { 'aws:MultiFactorAuthAge': '1.0' } }, { 'aws:MultiFactorAuthAge': '1' });
c('N5', ['R114', 'R52'], 'Allow', 'repo policy allows Service codebuild.amazonaws.com; the service principal calls BatchGetImage',
  { principal: 'codebuild.amazonaws.com', context: { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': 'codebuild.amazonaws.com' },
    rp: doc(rAllow({ Service: 'codebuild.amazonaws.com' }, 'ecr:BatchGetImage')) });

// ---------------------------------------------------------------- run the oracle, write
const info = oracleInfo(ORACLE);
const results = runOracle(ORACLE, cases);
let bad = 0;
const lines = cases.map((cs, i) => {
  const o = results[i];
  if (o.ignoredContextKeys) {
    console.error(`${cs.id}: oracle ignored context keys ${o.ignoredContextKeys.join(', ')}`);
    bad++;
  }
  const oracle = answerOf(o);
  const { divergence, expected, note, ...rest } = cs;
  const line = { ...rest, expected, oracle, note };
  if (divergence) line.divergence = divergence;
  if ((oracle !== cs.expected) !== !!divergence) {
    console.error(`${cs.id}: expected ${cs.expected}, oracle ${oracle}${o.error ? ` (${o.error})` : ''}, divergence field ${divergence ? 'present' : 'absent'}`);
    bad++;
  }
  return JSON.stringify(line);
});
writeFileSync(OUT, lines.join('\n') + '\n');
console.error(`wrote ${lines.length} cases to ${OUT} (oracle iam-simulate ${info.version}); ${bad} problem(s)`);

if (args.includes('--check')) {
  for (const cs of cases) {
    const m = evaluate(cs);
    const got = m.decision ?? `(${m.divergence ?? m.unsupported})`;
    if (m.decision !== cs.expected) console.error(`model ${cs.id}: expected ${cs.expected}, model ${got}`);
  }
}
process.exitCode = bad ? 1 : 0;
