import { z } from 'zod';
import { pageQuery } from '../../shared/pagination.ts';
import { text } from '../../shared/schemas.ts';

/** The audit list's filters (GET /api/admin/audit), newest first. */
export const auditListQuery = pageQuery.extend({
  actorId: z.uuid().optional().describe('A user or API key'),
  targetType: text({ max: 50 }).optional().describe('title, user, api_key…'),
  targetId: text({ max: 100 }).optional(),
  action: text({ max: 100 }).optional().describe('title.created, user.updated…'),
});
export type AuditListQuery = z.output<typeof auditListQuery>;
