import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { isReferencedElsewhere, isUniqueViolation } from '../../platform/db/pg-errors.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import { GenreNotFound, PersonNotFound, SlugTaken, StillReferenced } from './catalog.errors.ts';
import type { CatalogVersion } from './catalog-version.ts';

export interface Person {
  id: string;
  name: string;
  biography: string | null;
}

export interface Genre {
  id: string;
  slug: string;
  name: string;
}

export const slugify = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80) || 'genre';

/** People (cast and crew) and genres: the shared vocabulary titles refer to. */
export class LibraryService {
  readonly #db: Kysely<DB>;
  readonly #audit: AuditLog;
  readonly #version: CatalogVersion;

  constructor(options: { db: Kysely<DB>; audit: AuditLog; version: CatalogVersion }) {
    this.#db = options.db;
    this.#audit = options.audit;
    this.#version = options.version;
  }

  async listPeople(options: { q?: string | undefined; limit: number }): Promise<Person[]> {
    let select = this.#db.selectFrom('people').select(['id', 'name', 'biography']);
    if (options.q)
      select = select.where('name', 'ilike', `%${options.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    return select.orderBy('name').orderBy('id').limit(options.limit).execute();
  }

  async createPerson(
    input: { name: string; biography?: string | undefined },
    context: RequestContext,
  ): Promise<Person> {
    return this.#db.transaction().execute(async (trx) => {
      const person = await trx
        .insertInto('people')
        .values({ name: input.name, biography: input.biography ?? null })
        .returning(['id', 'name', 'biography'])
        .executeTakeFirstOrThrow();
      await this.#audit.record(trx, context, {
        action: 'person.created',
        targetType: 'person',
        targetId: person.id,
        after: input,
      });
      return person;
    });
  }

  async updatePerson(
    id: string,
    patch: { name?: string | undefined; biography?: string | undefined },
    context: RequestContext,
  ): Promise<Person> {
    const person = await this.#db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('people')
        .select(['name', 'biography'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!before) throw PersonNotFound();
      const after = await trx
        .updateTable('people')
        .set({ ...patch, updatedAt: new Date() })
        .where('id', '=', id)
        .returning(['id', 'name', 'biography'])
        .executeTakeFirstOrThrow();
      await this.#audit.record(trx, context, {
        action: 'person.updated',
        targetType: 'person',
        targetId: id,
        before,
        after: patch,
      });
      return after;
    });
    await this.#version.bump();
    return person;
  }

  async deletePerson(id: string, context: RequestContext): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .deleteFrom('people')
        .where('id', '=', id)
        .returning(['name'])
        .executeTakeFirst()
        .catch((error: unknown) => {
          if (isReferencedElsewhere(error))
            throw StillReferenced('This person is credited on titles; remove the credits first');
          throw error;
        });
      if (!row) throw PersonNotFound();
      await this.#audit.record(trx, context, {
        action: 'person.deleted',
        targetType: 'person',
        targetId: id,
        before: row,
      });
    });
  }

  async listGenres(): Promise<Genre[]> {
    return this.#db.selectFrom('genres').select(['id', 'slug', 'name']).orderBy('name').execute();
  }

  async createGenre(
    input: { name: string; slug?: string | undefined },
    context: RequestContext,
  ): Promise<Genre> {
    const genre = await this.#db.transaction().execute(async (trx) => {
      const created = await trx
        .insertInto('genres')
        .values({ name: input.name, slug: input.slug ?? slugify(input.name) })
        .returning(['id', 'slug', 'name'])
        .executeTakeFirstOrThrow()
        .catch((error: unknown) => {
          if (isUniqueViolation(error))
            throw SlugTaken(`A genre "${input.slug ?? slugify(input.name)}" already exists`);
          throw error;
        });
      await this.#audit.record(trx, context, {
        action: 'genre.created',
        targetType: 'genre',
        targetId: created.id,
        after: created,
      });
      return created;
    });
    await this.#version.bump();
    return genre;
  }

  async updateGenre(
    id: string,
    patch: { name?: string | undefined; slug?: string | undefined },
    context: RequestContext,
  ): Promise<Genre> {
    const genre = await this.#db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('genres')
        .select(['slug', 'name'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!before) throw GenreNotFound();
      const after = await trx
        .updateTable('genres')
        .set(patch)
        .where('id', '=', id)
        .returning(['id', 'slug', 'name'])
        .executeTakeFirstOrThrow()
        .catch((error: unknown) => {
          if (isUniqueViolation(error)) throw SlugTaken(`A genre "${patch.slug}" already exists`);
          throw error;
        });
      await this.#audit.record(trx, context, {
        action: 'genre.updated',
        targetType: 'genre',
        targetId: id,
        before,
        after: patch,
      });
      return after;
    });
    await this.#version.bump();
    return genre;
  }

  async deleteGenre(id: string, context: RequestContext): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .deleteFrom('genres')
        .where('id', '=', id)
        .returning(['slug'])
        .executeTakeFirst()
        .catch((error: unknown) => {
          if (isReferencedElsewhere(error)) throw StillReferenced('Titles still have this genre');
          throw error;
        });
      if (!row) throw GenreNotFound();
      await this.#audit.record(trx, context, {
        action: 'genre.deleted',
        targetType: 'genre',
        targetId: id,
        before: row,
      });
    });
    await this.#version.bump();
  }
}
