import type { AwsIamOptions } from '../kafka/client/client-settings.ts';
import { loginModuleEntry, refuseUnknownOptions } from './jaas-entry.ts';
import type { PropertySet } from './property-set.ts';

const MODULE = 'software.amazon.msk.auth.iam.IAMLoginModule';
const EXAMPLE = `sasl.jaas.config=${MODULE} required;`;
/** IAMLoginModule options and the AwsIamOptions field each sets. */
const OPTIONS: Record<string, keyof AwsIamOptions> = {
  awsProfileName: 'profile',
  awsRoleArn: 'roleArn',
  awsRoleSessionName: 'roleSessionName',
  awsStsRegion: 'stsRegion',
};
/** aws-msk-iam-auth options that only tune its logging or retries: nothing to do here. */
const INERT_OPTIONS = ['awsDebugCreds', 'awsMaxRetries', 'awsMaxBackOffTimeMs'];

/** AWS_MSK_IAM as aws-msk-iam-auth's IAMLoginModule is configured for the Java client. */
export function awsIamFromProperties(props: PropertySet): AwsIamOptions {
  const entry = loginModuleEntry(props, 'AWS_MSK_IAM', [MODULE], EXAMPLE);
  refuseUnknownOptions(props, entry, [...Object.keys(OPTIONS), ...INERT_OPTIONS], `write it as ${MODULE} required [awsProfileName="…"] [awsRoleArn="…"];`);
  const options: AwsIamOptions = {};
  for (const [name, field] of Object.entries(OPTIONS)) {
    const value = entry.options.get(name);
    if (value) options[field] = value;
  }
  return options;
}
