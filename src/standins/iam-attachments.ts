// What else an IAM user may carry, that DeleteUser refuses to delete past: password, MFA devices, certificates, SSH keys,
// service-specific credentials and groups. ib-archive makes none of them; tests seed them and a teardown lists them.
import { createHash } from 'node:crypto';
import type { UserAttachmentKind } from './api.js';
import { isoSeconds, type UserState } from './aws-account.js';
import { members, QueryError, required, type QueryAction, type QueryContext } from './aws-query.js';
import { authorizedUser, pageOf, read, targetUser, write } from './iam-entities.js';
import { el, type XmlChild } from './xml.js';

interface ListedKind {
  kind: Exclude<UserAttachmentKind, 'loginProfile'>;
  list: string;
  listElement: string;
  member(user: UserState, id: string): XmlChild[];
  remove: string;
  idParam: string;
  missing(id: string): string;
}

const LISTED: ListedKind[] = [
  {
    kind: 'mfaDevices', list: 'ListMFADevices', listElement: 'MFADevices', remove: 'DeactivateMFADevice', idParam: 'SerialNumber',
    member: (u, id) => [el('UserName', u.userName), el('SerialNumber', id), el('EnableDate', isoSeconds(u.createDate))],
    missing: (id) => `MFA Device with serial number ${id} does not exist.`,
  },
  {
    kind: 'signingCertificates', list: 'ListSigningCertificates', listElement: 'Certificates', remove: 'DeleteSigningCertificate', idParam: 'CertificateId',
    member: (u, id) => [el('UserName', u.userName), el('CertificateId', id), el('CertificateBody', '-----BEGIN CERTIFICATE-----'), el('Status', 'Active'), el('UploadDate', isoSeconds(u.createDate))],
    missing: (id) => `The Certificate with id ${id} cannot be found.`,
  },
  {
    kind: 'sshPublicKeys', list: 'ListSSHPublicKeys', listElement: 'SSHPublicKeys', remove: 'DeleteSSHPublicKey', idParam: 'SSHPublicKeyId',
    member: (u, id) => [el('UserName', u.userName), el('SSHPublicKeyId', id), el('Status', 'Active'), el('UploadDate', isoSeconds(u.createDate))],
    missing: (id) => `The Public Key with id ${id} cannot be found.`,
  },
  {
    kind: 'serviceSpecificCredentials', list: 'ListServiceSpecificCredentials', listElement: 'ServiceSpecificCredentials', remove: 'DeleteServiceSpecificCredential', idParam: 'ServiceSpecificCredentialId',
    member: (u, id) => [
      el('UserName', u.userName), el('Status', 'Active'), el('ServiceUserName', `${u.userName}-at-${u.userId.slice(-4)}`),
      el('CreateDate', isoSeconds(u.createDate)), el('ServiceSpecificCredentialId', id), el('ServiceName', 'codecommit.amazonaws.com'),
    ],
    missing: (id) => `No such credential ${id} exists.`,
  },
];

/** DeleteUser's 409 DeleteConflict message for what the user still has, or undefined when nothing is left. */
export function attachmentConflict(user: UserState): string | undefined {
  const has = (kind: UserAttachmentKind) => (user.attachments?.[kind]?.length ?? 0) > 0;
  if (has('loginProfile')) return 'must delete login profile first.';
  if (has('mfaDevices')) return 'must delete MFA device first.';
  if (has('signingCertificates')) return 'must delete certificates first.';
  if (has('groups')) return 'must remove users from group first.';
  if (has('sshPublicKeys') || has('serviceSpecificCredentials')) return 'must remove referenced objects first.';
  return undefined;
}

/** The list and remove actions of every attachment kind, by action name. */
export const ATTACHMENT_ACTIONS: Record<string, QueryAction> = {
  ...Object.fromEntries(LISTED.flatMap((k) => [[k.list, listAction(k)], [k.remove, removeAction(k)]])),
  GetLoginProfile: read((ctx) => {
    const user = withLoginProfile(ctx);
    return [el('LoginProfile', el('UserName', user.userName), el('CreateDate', isoSeconds(user.createDate)), el('PasswordResetRequired', false))];
  }),
  DeleteLoginProfile: write((ctx) => {
    const user = withLoginProfile(ctx);
    if (user.attachments) user.attachments.loginProfile = [];
    return null;
  }),
  ListGroupsForUser: read((ctx) => {
    const user = authorizedUser(ctx);
    const { page, paging } = pageOf(ctx, user.attachments?.groups ?? []);
    return [el('Groups', members(page.map((name) => groupXml(ctx, name)))), ...paging];
  }),
  RemoveUserFromGroup: write((ctx) => {
    const group = required(ctx.params, 'GroupName');
    ctx.authorize(groupArn(ctx, group));
    const user = authorizedUser(ctx);
    const groups = user.attachments?.groups ?? [];
    if (!groups.includes(group)) throw new QueryError(404, 'NoSuchEntity', `The group with name ${group} cannot be found.`);
    groups.splice(groups.indexOf(group), 1);
    return null;
  }),
};

function listAction(k: ListedKind): QueryAction {
  return read((ctx) => {
    const user = targetUser(ctx);
    const { page, paging } = pageOf(ctx, user.attachments?.[k.kind] ?? []);
    return [el(k.listElement, members(page.map((id) => k.member(user, id)))), ...paging];
  });
}

function removeAction(k: ListedKind): QueryAction {
  return write((ctx) => {
    const id = required(ctx.params, k.idParam);
    const user = targetUser(ctx);
    const ids = user.attachments?.[k.kind] ?? [];
    if (!ids.includes(id)) throw new QueryError(404, 'NoSuchEntity', k.missing(id));
    ids.splice(ids.indexOf(id), 1);
    return null;
  });
}

function withLoginProfile(ctx: QueryContext): UserState {
  const user = targetUser(ctx);
  if (!user.attachments?.loginProfile?.length) {
    throw new QueryError(404, 'NoSuchEntity', `Login Profile for User ${user.userName} cannot be found.`);
  }
  return user;
}

function groupArn(ctx: QueryContext, name: string): string {
  return `arn:aws:iam::${ctx.account.accountId}:group/${name}`;
}

function groupXml(ctx: QueryContext, name: string): XmlChild[] {
  const id = 'AGPA' + createHash('sha256').update(name).digest('hex').toUpperCase().slice(0, 17);
  return [el('Path', '/'), el('GroupName', name), el('GroupId', id), el('Arn', groupArn(ctx, name)), el('CreateDate', isoSeconds(ctx.account.now()))];
}
