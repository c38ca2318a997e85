import assert from 'node:assert/strict';
import { VASTParser } from '@dailymotion/vast-client';
import VMAP from '@dailymotion/vmap';
import { DOMParser, type Element } from '@xmldom/xmldom';

/** Reads our VMAP with a parser nobody here wrote. */
export function parseVmap(xml: string): VMAP {
  return new VMAP(new DOMParser().parseFromString(xml, 'text/xml'));
}

/** What the tests read of vast-client's parsed response (its own types are loose). */
export interface ParsedVast {
  version: string;
  ads: Array<{
    id: string;
    sequence: string | null;
    title: string;
    advertiser: { value: string } | null;
    impressionURLTemplates: Array<{ url: string }>;
    errorURLTemplates: string[];
    creatives: Array<{
      type: string;
      duration: number;
      skipDelay: number | null;
      mediaFiles: Array<{ fileURL: string; width: number; height: number; mimeType: string }>;
      trackingEvents: Record<string, string[]>;
      videoClickThroughURLTemplate: { url: string } | null;
      videoClickTrackingURLTemplates: Array<{ url: string }>;
    }>;
  }>;
}

/** Reads our VAST with @dailymotion/vast-client. */
export async function parseVast(xml: string): Promise<ParsedVast> {
  const document = new DOMParser().parseFromString(xml, 'text/xml');
  const response: unknown = await new VASTParser().parseVAST(document);
  return response as ParsedVast;
}

const children = (element: Element, name: string): Element[] => {
  const list = element.getElementsByTagName(name);
  return Array.from({ length: list.length }, (_, i) => list.item(i)!);
};

/** Asserts VAST 4.x's required elements of every InLine ad (VAST 4.2 §3.4); returns the ads. */
export function assertVast4Inline(xml: string): Element[] {
  const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement!;
  assert.equal(root.nodeName, 'VAST');
  assert.match(root.getAttribute('version') ?? '', /^4\.\d$/);
  const ads = children(root, 'Ad');
  for (const ad of ads) {
    const [inline] = children(ad, 'InLine');
    assert.ok(inline, 'InLine');
    for (const required of ['AdSystem', 'AdTitle', 'Impression', 'AdServingId', 'Creatives', 'Error'])
      assert.ok(children(inline, required).length > 0, `${required} present`);
    const [creative] = children(inline, 'Creative');
    assert.ok(creative && children(creative, 'UniversalAdId').length > 0, 'UniversalAdId');
    const [linear] = children(creative, 'Linear');
    assert.ok(linear, 'Linear');
    assert.match(children(linear, 'Duration')[0]?.textContent ?? '', /^\d\d:\d\d:\d\d(\.\d{3})?$/);
    const files = children(linear, 'MediaFile');
    assert.ok(files.length > 0, 'MediaFiles');
    for (const file of files)
      for (const attribute of ['delivery', 'type', 'width', 'height'])
        assert.ok(file.getAttribute(attribute), `MediaFile@${attribute}`);
  }
  return ads;
}
