-- A transcode claims its asset before it touches a file: one runner holds the claim (an owner
-- token and a lease it renews while it works), so a second runner for the same asset — a
-- duplicate job, seed-demo beside a worker, a retry while an orphan still runs — backs off.
-- A runner that dies stops renewing, and the lease lapses for the retry to take over.
alter table video_assets add column claimed_by text;
alter table video_assets add column claim_expires_at timestamptz;
