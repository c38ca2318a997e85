export {
  AuditLog,
  type AuditActor,
  type AuditChange,
  type AuditEntry,
  type AuditQuery,
  type RequestContext,
} from './audit.repository.ts';
export { auditListQuery, type AuditListQuery } from './audit.schemas.ts';
