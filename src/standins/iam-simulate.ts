// IAM SimulatePrincipalPolicy: a user's inline and attached policies evaluated by the stand-ins' own policy engine.
import { memberList, members, QueryError, required, type QueryAction, type QueryContext } from './aws-query.js';
import { pageOf, read, sourcePolicies, userNamed, type SourcePolicy } from './iam-entities.js';
import { evaluateIdentity, PolicyError, validateIdentityPolicy, type Decision } from './policy.js';
import { el, type XmlChild } from './xml.js';

const USER_ARN = /^arn:aws:iam::(\d{12}):user\/(?:[\u0021-\u007e]*\/)?([\w+=,.@-]+)$/;
const OTHER_IAM_ARN = /^arn:aws:iam::(\d{12}):(group|role)\/.+$/;

type EvalDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';
const DECISIONS: Record<Decision, EvalDecision> = { allow: 'allowed', deny: 'explicitDeny', none: 'implicitDeny' };
/** Most restrictive first: the order in which one resource's decision outranks another's. */
const RESTRICTIVENESS: EvalDecision[] = ['explicitDeny', 'implicitDeny', 'allowed'];

interface ResourceResult {
  resource: string;
  decision: EvalDecision;
  matched: SourcePolicy[];
}

/** SimulatePrincipalPolicy by action name. */
export const SIMULATE_ACTIONS: Record<string, QueryAction> = {
  SimulatePrincipalPolicy: read((ctx) => {
    const sourceArn = required(ctx.params, 'PolicySourceArn');
    const actions = memberList(ctx.params, 'ActionNames').map((item) => item[''] ?? '');
    if (actions.length === 0) {
      throw new QueryError(400, 'ValidationError', "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null");
    }
    const given = memberList(ctx.params, 'ResourceArns').map((item) => item[''] ?? '');
    ctx.authorize(sourceArn);
    const policies = [...sourcePolicies(sourceUser(ctx, sourceArn)), ...inputPolicies(ctx)];
    const { page, paging } = pageOf(ctx, actions);
    return [el('EvaluationResults', page.map((action) => el('member', evaluationResult(action, given, policies)))), ...paging];
  }),
};

/** The user named by a user ARN of this account; groups and roles do not exist in the stand-in. */
function sourceUser(ctx: QueryContext, arn: string) {
  const user = USER_ARN.exec(arn);
  if (user && user[1] === ctx.account.accountId) {
    const found = userNamed(ctx, user[2] ?? '');
    if (found.arn !== arn) throw new QueryError(404, 'NoSuchEntity', `The user with name ${user[2]} cannot be found.`);
    return found;
  }
  const other = OTHER_IAM_ARN.exec(arn);
  if (user || other) throw new QueryError(404, 'NoSuchEntity', `PolicySourceArn ${arn} does not exist.`);
  throw new QueryError(400, 'InvalidInput', `Invalid ARN: ${arn}. PolicySourceArn must be the ARN of an IAM user, group or role.`);
}

/** PolicyInputList.member.N: extra identity policies to include, checked like PutUserPolicy's. */
function inputPolicies(ctx: QueryContext): SourcePolicy[] {
  return memberList(ctx.params, 'PolicyInputList').map((item, i) => {
    try {
      return { id: `PolicyInputList.${i + 1}`, type: 'none', doc: validateIdentityPolicy(item[''] ?? '') };
    } catch (err) {
      if (err instanceof PolicyError) throw new QueryError(400, 'MalformedPolicyDocument', err.message);
      throw err;
    }
  });
}

/** One EvaluationResult per action: the most restrictive decision over the resources, and each resource's own. */
function evaluationResult(action: string, given: string[], policies: SourcePolicy[]): XmlChild[] {
  const perResource = (given.length > 0 ? given : ['*']).map((resource) => resourceResult(action, resource, policies));
  const top = RESTRICTIVENESS.map((d) => perResource.find((r) => r.decision === d)).find((r) => r !== undefined) as ResourceResult;
  return [
    el('EvalActionName', action),
    el('EvalResourceName', top.resource),
    el('EvalDecision', top.decision),
    el('MatchedStatements', statementsXml(top.matched)),
    el('MissingContextValues'),
    given.length > 0 ? el('EvalDecisionDetails') : undefined,
    given.length > 0
      ? el(
          'ResourceSpecificResults',
          perResource.map((r) =>
            el(
              'member',
              el('EvalResourceName', r.resource),
              el('EvalResourceDecision', r.decision),
              el('MatchedStatements', statementsXml(r.matched)),
              el('MissingContextValues'),
            ),
          ),
        )
      : undefined,
  ];
}

/** The decision for one resource, with the policies that made it (the denying ones, or the allowing ones). */
function resourceResult(action: string, resource: string, policies: SourcePolicy[]): ResourceResult {
  const decision = DECISIONS[evaluateIdentity(policies.map((p) => p.doc), action, resource)];
  const wanted: Decision | undefined = decision === 'explicitDeny' ? 'deny' : decision === 'allowed' ? 'allow' : undefined;
  const matched = wanted ? policies.filter((p) => evaluateIdentity([p.doc], action, resource) === wanted) : [];
  return { resource, decision, matched };
}

function statementsXml(policies: SourcePolicy[]): XmlChild[] {
  return members(policies.map((p) => [el('SourcePolicyId', p.id), el('SourcePolicyType', p.type)]));
}
