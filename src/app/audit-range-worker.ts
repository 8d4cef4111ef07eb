/** Worker thread: parse one byte range of an audit log (app/audit-ranges.ts) and post its part. */
import { workerReply } from '../util/worker.js';
import { type AuditRangeJob, auditRange } from './audit-ranges.js';

void workerReply((job: AuditRangeJob) => auditRange(job));
