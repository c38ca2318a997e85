import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Button, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import type { Response } from '../../../ui/api/client.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { JobQuality } from './job-quality.tsx';

type Job = Schemas['TranscodeJob'];
const running = (job: Job) => job.status === 'queued' || job.status === 'processing';

type JobPage = Response<'adminListJobs'>;
/** A job moved: what `GET /api/admin/jobs/events` pushes. */
interface JobEvent {
  assetId: string;
  status: Job['status'];
  progress: number;
}

/**
 * Transcode jobs (all, or one item's). While any is queued or processing, their progress is
 * pushed by the server (Server-Sent Events) into every jobs list held here; the list is read
 * again when the stream ends (nothing left running, or quiet for 30 s), and the stream reopened
 * if something still runs.
 */
export function useJobs(itemId?: string) {
  const api = useApi();
  const client = useQueryClient();
  const jobs = useQuery({
    queryKey: ['jobs', itemId ?? 'all'],
    queryFn: () => api.call('adminListJobs', { query: { itemId, limit: 50 } }),
  });
  const active = jobs.data?.items.some(running) ?? false;
  const [streams, setStreams] = useState(0);
  useEffect(() => {
    if (!active) return;
    const abort = new AbortController();
    const onEvent = (name: string, data: unknown) => {
      if (name !== 'job') return;
      const event = data as JobEvent;
      client.setQueriesData<JobPage>({ queryKey: ['jobs'] }, (page) =>
        page
          ? {
              ...page,
              items: page.items.map((job) =>
                job.id === event.assetId ? { ...job, status: event.status, progress: event.progress } : job,
              ),
            }
          : page,
      );
    };
    void api
      .events('adminJobEvents', {}, { onEvent, signal: abort.signal })
      .catch(() => undefined) // the list read below stands in
      .finally(() => {
        if (abort.signal.aborted) return;
        void client.invalidateQueries({ queryKey: ['jobs'] });
        // Reopened after a pause, so a stream that keeps failing is not a busy loop.
        setTimeout(() => !abort.signal.aborted && setStreams((count) => count + 1), 1000);
      });
    return () => abort.abort();
  }, [active, api, client, streams]);
  return jobs;
}

export function JobTable(props: { itemId?: string; caption: string; linkItems?: boolean }) {
  const jobs = useJobs(props.itemId);
  // The finished job whose renditions (with their SSIM/PSNR) are shown under its row.
  const [opened, setOpened] = useState<string | null>(null);
  if (jobs.isError) return <Notice tone="error">{problemText(jobs.error)}</Notice>;
  if (jobs.isPending) return <p className="ui-muted">Loading jobs…</p>;
  if (jobs.data.items.length === 0) return <p className="ui-muted">No transcoding job yet.</p>;
  return (
    <table className="ui-table" aria-label={props.caption}>
      <thead>
        <tr>
          <th scope="col">Source</th>
          {props.linkItems && <th scope="col">Item</th>}
          <th scope="col">Status</th>
          <th scope="col">Progress</th>
          <th scope="col">Size</th>
          <th scope="col">Started</th>
          <th scope="col">Renditions</th>
        </tr>
      </thead>
      <tbody>
        {jobs.data.items.map((job) => (
          <Fragment key={job.id}>
            <tr data-job-id={job.id} data-job-status={job.status}>
              <td>{job.sourceName}</td>
              {props.linkItems && (
                <td>
                  <Link to={`/titles/${job.itemId}`}>{job.itemId.slice(0, 8)}</Link>
                </td>
              )}
              <td>
                {job.status}
                {job.failure && <span className="ui-muted"> — {job.failure.reason}</span>}
              </td>
              <td>
                <div className="ui-progress">
                  <progress
                    max={100}
                    value={job.progress}
                    aria-label={`Transcoding ${job.sourceName}`}
                    aria-valuetext={`${Math.round(job.progress)} %`}
                  />
                  <span>{Math.round(job.progress)} %</span>
                </div>
              </td>
              <td>{job.width && job.height ? `${job.width}×${job.height}` : '—'}</td>
              <td>{job.startedAt ? new Date(job.startedAt).toLocaleTimeString() : '—'}</td>
              <td>
                {job.status === 'ready' ? (
                  <Button
                    variant="plain"
                    aria-expanded={opened === job.id}
                    onClick={() => setOpened(opened === job.id ? null : job.id)}
                  >
                    {opened === job.id ? 'Hide' : 'Quality'}
                  </Button>
                ) : (
                  '—'
                )}
              </td>
            </tr>
            {opened === job.id && (
              <tr>
                <td colSpan={props.linkItems ? 7 : 6}>
                  <JobQuality jobId={job.id} sourceName={job.sourceName} />
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
