import { defineError } from '../../shared/errors.ts';

export const RuleNotFound = defineError(
  'RECOMMENDATIONS_RULE_NOT_FOUND',
  'not_found',
  'No pin or exclude for this title and row',
);
