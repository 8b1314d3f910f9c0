// The rule registry: every rule file is listed here (a test checks files, docs and fixtures agree).
import type { RuleDefinition } from './rule';
import { rule as kfreeInsteadOfPut } from './kfree-instead-of-put';
import { rule as missingPutOnError } from './missing-put-on-error';
import { rule as useAfterPut } from './use-after-put';
import { rule as doublePut } from './double-put';
import { rule as putBeforeInit } from './put-before-init';
import { rule as leakedReference } from './leaked-reference';
import { rule as devmRefcounted } from './devm-refcounted';
import { rule as staticKobject } from './static-kobject';
import { rule as missingRelease } from './missing-release';
import { rule as emptyRelease } from './empty-release';
import { rule as releaseFreesMember } from './release-frees-member';
import { rule as moduleUnloadRace } from './module-unload-race';

export const RULES: readonly RuleDefinition[] = [
  kfreeInsteadOfPut,
  missingPutOnError,
  useAfterPut,
  doublePut,
  putBeforeInit,
  leakedReference,
  devmRefcounted,
  staticKobject,
  missingRelease,
  emptyRelease,
  releaseFreesMember,
  moduleUnloadRace,
];
