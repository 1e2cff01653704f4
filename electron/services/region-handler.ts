// preview:region, the 1:1 view: one rectangle of the export painted at the export's own pixels
// (electron/imaging/region.ts). It shares preview:render's tickets: a newer request on a ticket
// cancels the older one (a pan supersedes the last), and preview:cancel stops it.

import crypto from 'node:crypto';
import { brushChosen } from '../common/params.js';
import type { StyleCatalog } from '../common/styles.js';
import type { EngineHolder } from './engine-holder.js';
import { handler, type Handler } from './ipc-handler.js';
import type { ResultStore } from './media.js';
import { allowedPath, validateRegionRequest } from './requests.js';
import type { AllowedRoots } from './roots.js';
import { id } from './validate.js';

export interface RegionDeps {
  holder: EngineHolder;
  roots: AllowedRoots;
  results: ResultStore;
  knownStyles(): StyleCatalog;
  /** The in-flight renders by ticket, shared with preview:render and preview:cancel. */
  tickets: Map<string, AbortController>;
  /** How a decode error names the photo (handlers.ts). */
  naming(photo: string): (e: unknown) => never;
}

export function regionHandler(deps: RegionDeps): Handler<'preview:region'> {
  return handler<'preview:region'>(3, async (rawPhoto, rawReq, rawTicket) => {
    const photo = allowedPath(deps.roots, rawPhoto, 'photo');
    const req = validateRegionRequest(rawReq, deps.knownStyles());
    const ticket = id(rawTicket, 'ticket');
    deps.tickets.get(ticket)?.abort();
    const ac = new AbortController();
    deps.tickets.set(ticket, ac);
    try {
      // The export's flag too: the view is the export's pixels.
      const out = await deps.holder
        .region(photo, { ...req, format: 'png', quality: 100, keepMetadata: false, stripGps: false, brushChosen: brushChosen(req.brush, 'settings') }, ac.signal)
        .catch(deps.naming(photo));
      if (ac.signal.aborted) throw Object.assign(new Error('Cancelled'), { name: 'AbortError' });
      const rid = crypto.randomUUID();
      deps.results.put(rid, out.data, out.mime);
      return { id: rid, rect: out.rect, exportWidth: out.exportWidth, exportHeight: out.exportHeight, ms: out.ms, cached: out.cached };
    } finally {
      if (deps.tickets.get(ticket) === ac) deps.tickets.delete(ticket);
    }
  });
}
