import { isReferencedElsewhere, isUniqueViolation } from '../../platform/db/pg-errors.ts';
import { defineError, type AppError } from '../../shared/errors.ts';

export const TitleNotFound = defineError('CATALOG_TITLE_NOT_FOUND', 'not_found', 'No such title');
export const SeasonNotFound = defineError('CATALOG_SEASON_NOT_FOUND', 'not_found', 'No such season');
export const EpisodeNotFound = defineError('CATALOG_EPISODE_NOT_FOUND', 'not_found', 'No such episode');
export const PersonNotFound = defineError('CATALOG_PERSON_NOT_FOUND', 'not_found', 'No such person');
export const GenreNotFound = defineError('CATALOG_GENRE_NOT_FOUND', 'not_found', 'No such genre');
export const UnknownReferences = defineError(
  'CATALOG_UNKNOWN_REFERENCES',
  'invalid',
  'Some referenced records do not exist',
);
export const WrongKind = defineError(
  'CATALOG_WRONG_KIND',
  'conflict',
  'The title is not of the kind this needs',
);
export const NumberTaken = defineError('CATALOG_NUMBER_TAKEN', 'conflict', 'That number is already used');
export const SlugTaken = defineError('CATALOG_SLUG_TAKEN', 'conflict', 'That slug is already used');
export const StillReferenced = defineError(
  'CATALOG_STILL_REFERENCED',
  'conflict',
  'It is still used by titles',
);
export const NotPublishable = defineError(
  'CATALOG_NOT_PUBLISHABLE',
  'conflict',
  'It cannot be published yet',
);
export const UnknownRating = defineError('CATALOG_UNKNOWN_RATING', 'invalid', 'No such maturity rating');
export const InvalidImage = defineError(
  'CATALOG_INVALID_IMAGE',
  'unsupported_media',
  'Artwork must be a JPEG, PNG or WebP image',
);
export const ImportInvalid = defineError(
  'CATALOG_IMPORT_INVALID',
  'invalid',
  'The import file could not be read',
);
export const InvalidWindow = defineError(
  'CATALOG_INVALID_WINDOW',
  'invalid',
  'The availability window ends before it starts',
);
export const NotPlayable = defineError('CATALOG_NOT_PLAYABLE', 'conflict', 'This has no video of its own');

/** Turns the database's refusal into the catalog's answer (`.catch(whenUnique(SlugTaken(…)))`); anything else is rethrown. */
const translated =
  (matches: (error: unknown) => boolean) =>
  (answer: AppError) =>
  (error: unknown): never => {
    throw matches(error) ? answer : error;
  };
export const whenUnique = translated(isUniqueViolation);
export const whenReferenced = translated(isReferencedElsewhere);
