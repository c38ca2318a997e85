import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode } from 'react';
import { Link } from 'react-router';
import { posterDataUri } from './poster.ts';

/** The shared components of the web apps: buttons, fields, notices, rows and tiles. */

export function Button(props: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'plain' }) {
  const { variant = 'plain', ...rest } = props;
  return <button type="button" className="ui-button" data-variant={variant} {...rest} />;
}

export function ButtonLink(props: { to: string; children: ReactNode; variant?: 'primary' | 'plain' }) {
  return (
    <Link className="ui-button" data-variant={props.variant ?? 'plain'} to={props.to}>
      {props.children}
    </Link>
  );
}

export function Field(props: InputHTMLAttributes<HTMLInputElement> & { label: string; name: string }) {
  const { label, ...input } = props;
  return (
    <label className="ui-field">
      <span>{label}</span>
      <input id={`field-${props.name}`} {...input} />
    </label>
  );
}

export function Notice(props: { tone?: 'error' | 'warning' | 'success' | 'info'; children: ReactNode }) {
  return (
    <div
      className="ui-notice"
      data-tone={props.tone ?? 'info'}
      role={props.tone === 'error' ? 'alert' : 'status'}
    >
      {props.children}
    </div>
  );
}

export interface TileItem {
  id: string;
  title: string;
  href: string;
  year?: number | null;
  genre?: string | null;
  poster?: string | null;
  caption?: string | null;
  /** 0–1: how much has been watched. */
  progress?: number | null;
}

export function Tile({ item }: { item: TileItem }) {
  return (
    <li className="ui-tile" data-title-id={item.id}>
      <Link to={item.href} aria-label={item.title}>
        <img
          src={
            item.poster ??
            posterDataUri({ title: item.title, year: item.year ?? null, genre: item.genre ?? null })
          }
          alt=""
          loading="lazy"
          width={200}
          height={300}
        />
      </Link>
      {item.progress != null && (
        <div className="ui-tile-progress" aria-hidden="true">
          <span style={{ width: `${Math.round(Math.min(1, item.progress) * 100)}%` }} />
        </div>
      )}
      {item.caption && <div className="ui-tile-caption">{item.caption}</div>}
    </li>
  );
}

export function Row(props: { title: string; items: TileItem[]; id?: string }) {
  if (props.items.length === 0) return null;
  const headingId = `row-${props.id ?? props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section className="ui-row" aria-labelledby={headingId} data-row={props.id}>
      <h2 id={headingId}>{props.title}</h2>
      <ul className="ui-row-items">
        {props.items.map((item) => (
          <Tile key={item.id} item={item} />
        ))}
      </ul>
    </section>
  );
}
