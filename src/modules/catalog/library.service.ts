import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import {
  GenreNotFound,
  PersonNotFound,
  SlugTaken,
  StillReferenced,
  whenReferenced,
  whenUnique,
} from './catalog.errors.ts';
import type { Genre, GenreInput, GenrePatch, Person, PersonInput, PersonPatch } from './catalog.schemas.ts';
import type { GenresRepository } from './genres.repository.ts';
import type { PeopleRepository } from './people.repository.ts';

export const slugify = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80) || 'genre';

export interface LibraryServiceDeps {
  /** Catalog transactions: each bumps the catalog version once committed. */
  transactor: Transactor;
  people: PeopleRepository;
  genres: GenresRepository;
  audit: AuditLog;
  clock: Clock;
}

/** People (cast and crew) and genres: the shared vocabulary titles refer to. */
export class LibraryService {
  readonly #deps: LibraryServiceDeps;

  constructor(deps: LibraryServiceDeps) {
    this.#deps = deps;
  }

  listPeople(options: { q?: string | undefined; limit: number }): Promise<Person[]> {
    return this.#deps.people.search(options);
  }

  async createPerson(input: PersonInput, context: RequestContext): Promise<Person> {
    const { people, audit } = this.#deps;
    return this.#deps.transactor.run(async (trx) => {
      const person = await people.insert({ name: input.name, biography: input.biography ?? null }, trx);
      await audit.record(trx, context, {
        action: 'person.created',
        targetType: 'person',
        targetId: person.id,
        after: input,
      });
      return person;
    });
  }

  async updatePerson(id: string, patch: PersonPatch, context: RequestContext): Promise<Person> {
    const { people, audit, clock } = this.#deps;
    return this.#deps.transactor.run(async (trx) => {
      const before = await people.find(id, trx);
      if (!before) throw PersonNotFound();
      const after = await people.update(id, { ...patch, updatedAt: clock.now() }, trx);
      await audit.record(trx, context, {
        action: 'person.updated',
        targetType: 'person',
        targetId: id,
        before,
        after: patch,
      });
      return after;
    });
  }

  async deletePerson(id: string, context: RequestContext): Promise<void> {
    const { people, audit } = this.#deps;
    await this.#deps.transactor.run(async (trx) => {
      const row = await people
        .delete(id, trx)
        .catch(
          whenReferenced(StillReferenced('This person is credited on titles; remove the credits first')),
        );
      if (!row) throw PersonNotFound();
      await audit.record(trx, context, {
        action: 'person.deleted',
        targetType: 'person',
        targetId: id,
        before: row,
      });
    });
  }

  listGenres(): Promise<Genre[]> {
    return this.#deps.genres.list();
  }

  async createGenre(input: GenreInput, context: RequestContext): Promise<Genre> {
    const { genres, audit } = this.#deps;
    const slug = input.slug ?? slugify(input.name);
    return this.#deps.transactor.run(async (trx) => {
      const created = await genres
        .insert({ name: input.name, slug }, trx)
        .catch(whenUnique(SlugTaken(`A genre "${slug}" already exists`)));
      await audit.record(trx, context, {
        action: 'genre.created',
        targetType: 'genre',
        targetId: created.id,
        after: created,
      });
      return created;
    });
  }

  async updateGenre(id: string, patch: GenrePatch, context: RequestContext): Promise<Genre> {
    const { genres, audit } = this.#deps;
    return this.#deps.transactor.run(async (trx) => {
      const before = await genres.find(id, trx);
      if (!before) throw GenreNotFound();
      const after = await genres
        .update(id, patch, trx)
        .catch(whenUnique(SlugTaken(`A genre "${patch.slug}" already exists`)));
      await audit.record(trx, context, {
        action: 'genre.updated',
        targetType: 'genre',
        targetId: id,
        before,
        after: patch,
      });
      return after;
    });
  }

  async deleteGenre(id: string, context: RequestContext): Promise<void> {
    const { genres, audit } = this.#deps;
    await this.#deps.transactor.run(async (trx) => {
      const row = await genres
        .delete(id, trx)
        .catch(whenReferenced(StillReferenced('Titles still have this genre')));
      if (!row) throw GenreNotFound();
      await audit.record(trx, context, {
        action: 'genre.deleted',
        targetType: 'genre',
        targetId: id,
        before: row,
      });
    });
  }
}
