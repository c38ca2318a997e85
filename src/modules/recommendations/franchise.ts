/**
 * A title's franchise key for the "no row of ten sequels" rule, from its name alone (the catalog
 * has no collections): lower-cased, cut at a subtitle (":", " - ", " and the "), a trailing
 * sequel number or numeral ("2", "III", "Part 2") removed. "Toy Story 3" and "Toy Story" share
 * "toy story"; "Star Wars: Episode V" and "Star Wars: Episode VI" share "star wars".
 */
export function franchiseKey(name: string): string {
  let key = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
  key = key.split(/:| - | and the /)[0] ?? key;
  key = key
    .replace(/\s+(part|chapter|episode|vol\.?|volume)\s+\w+$/, '')
    .replace(/\s+(\d+|[ivx]+)$/, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  return key || name.toLowerCase();
}
