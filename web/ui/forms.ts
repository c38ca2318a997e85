import type { FormEvent } from 'react';

/** A submitted form's text fields by name (the page stays: the app handles the submit). */
export function formFields(event: FormEvent<HTMLFormElement>): Record<string, string> {
  event.preventDefault();
  const fields: Record<string, string> = {};
  for (const [name, value] of new FormData(event.currentTarget)) {
    if (typeof value === 'string') fields[name] = value;
  }
  return fields;
}
