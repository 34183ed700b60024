/**
 * The cdk-nag packs every synth runs (`app.ts`) and the stack tests apply (`validateScope`): one list, so
 * a pack added here is enforced in both places.
 */
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export function nagPacks(scope?: IConstruct) {
  return [new AwsSolutionsChecks(scope), new ServerlessChecks(scope)];
}
