// Deleting an IAM user as AWS requires: everything it carries first, each kind listed and removed by its own call.
import {
  CreateUserCommand,
  DeactivateMFADeviceCommand,
  DeleteLoginProfileCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  GetLoginProfileCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { sdkError, useAws } from './aws-fixture.js';

const f = useAws();
const UserName = 'worn';

async function seededUser(): Promise<void> {
  await f.iam().send(new CreateUserCommand({ UserName }));
  const user = f.aws.control.user(UserName);
  if (!user) throw new Error('no user');
  user.attachments = {
    loginProfile: ['password'],
    mfaDevices: [`arn:aws:iam::${f.aws.accountId}:mfa/phone`],
    signingCertificates: ['CERTID1234567890ABCD'],
    sshPublicKeys: ['APKAEIBAERJR2EXAMPLE'],
    serviceSpecificCredentials: ['ACCAEXAMPLE123EXAMPLE'],
    groups: ['ops'],
  };
}

const conflict = async () => {
  const err = await sdkError(f.iam().send(new DeleteUserCommand({ UserName })));
  expect(err.name).toBe('DeleteConflictException');
  expect(err.$metadata.httpStatusCode).toBe(409);
  return err.message;
};

describe('DeleteUser after everything else', () => {
  it('a user with nothing else answers empty lists and 404 for the password', async () => {
    await f.iam().send(new CreateUserCommand({ UserName }));
    const iam = f.iam();
    expect((await iam.send(new ListMFADevicesCommand({ UserName }))).MFADevices).toEqual([]);
    expect((await iam.send(new ListSigningCertificatesCommand({ UserName }))).Certificates).toEqual([]);
    expect((await iam.send(new ListSSHPublicKeysCommand({ UserName }))).SSHPublicKeys ?? []).toEqual([]);
    expect((await iam.send(new ListServiceSpecificCredentialsCommand({ UserName }))).ServiceSpecificCredentials ?? []).toEqual([]);
    expect((await iam.send(new ListGroupsForUserCommand({ UserName }))).Groups).toEqual([]);
    const none = await sdkError(iam.send(new GetLoginProfileCommand({ UserName })));
    expect(none.name).toBe('NoSuchEntityException');
    expect(none.message).toBe(`Login Profile for User ${UserName} cannot be found.`);
  });

  it('answers DeleteConflict for each thing left, until every one is removed', async () => {
    await seededUser();
    const iam = f.iam();
    expect(await conflict()).toBe('Cannot delete entity, must delete login profile first.');
    expect((await iam.send(new GetLoginProfileCommand({ UserName }))).LoginProfile?.UserName).toBe(UserName);
    await iam.send(new DeleteLoginProfileCommand({ UserName }));

    expect(await conflict()).toBe('Cannot delete entity, must delete MFA device first.');
    const [device] = (await iam.send(new ListMFADevicesCommand({ UserName }))).MFADevices ?? [];
    await iam.send(new DeactivateMFADeviceCommand({ UserName, SerialNumber: device?.SerialNumber }));

    expect(await conflict()).toBe('Cannot delete entity, must delete certificates first.');
    const [cert] = (await iam.send(new ListSigningCertificatesCommand({ UserName }))).Certificates ?? [];
    await iam.send(new DeleteSigningCertificateCommand({ UserName, CertificateId: cert?.CertificateId }));

    expect(await conflict()).toBe('Cannot delete entity, must remove users from group first.');
    const [group] = (await iam.send(new ListGroupsForUserCommand({ UserName }))).Groups ?? [];
    expect(group?.Arn).toBe(`arn:aws:iam::${f.aws.accountId}:group/ops`);
    await iam.send(new RemoveUserFromGroupCommand({ UserName, GroupName: group?.GroupName }));

    expect(await conflict()).toBe('Cannot delete entity, must remove referenced objects first.');
    const [ssh] = (await iam.send(new ListSSHPublicKeysCommand({ UserName }))).SSHPublicKeys ?? [];
    await iam.send(new DeleteSSHPublicKeyCommand({ UserName, SSHPublicKeyId: ssh?.SSHPublicKeyId }));
    const [cred] = (await iam.send(new ListServiceSpecificCredentialsCommand({ UserName }))).ServiceSpecificCredentials ?? [];
    await iam.send(new DeleteServiceSpecificCredentialCommand({ UserName, ServiceSpecificCredentialId: cred?.ServiceSpecificCredentialId }));

    await iam.send(new DeleteUserCommand({ UserName }));
    expect(f.aws.control.user(UserName)).toBeUndefined();
  });

  it('removing what is not there is NoSuchEntity', async () => {
    await seededUser();
    const err = await sdkError(f.iam().send(new DeactivateMFADeviceCommand({ UserName, SerialNumber: 'arn:aws:iam::000000000000:mfa/none' })));
    expect(err.name).toBe('NoSuchEntityException');
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect((await sdkError(f.iam().send(new RemoveUserFromGroupCommand({ UserName, GroupName: 'admins' })))).name).toBe('NoSuchEntityException');
    expect(f.aws.control.user(UserName)?.attachments?.mfaDevices).toHaveLength(1);
  });
});
