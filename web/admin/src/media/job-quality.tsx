import { useQuery } from '@tanstack/react-query';
import { Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';

type Rendition = Schemas['TranscodeJobDetail']['renditions'][number];
type Quality = Schemas['RenditionQuality'];

/** The codec family a variant's CODECS names (RFC 6381): the first entry is the video codec. */
export function codecName(codecs: string): string {
  const video = codecs.split(',')[0]!.trim();
  if (/^(hvc1|hev1)\./i.test(video)) return 'HEVC';
  if (/^avc[13]\./i.test(video)) return 'H.264';
  return video;
}

const kbps = (bitsPerSecond: number) => `${Math.round(bitsPerSecond / 1000).toLocaleString()} kbit/s`;
const scores = (quality: Quality | null) =>
  quality ? [quality.ssim.toFixed(4), `${quality.psnr.toFixed(1)} dB`] : ['—', '—'];

/**
 * A finished job's renditions with what the quality step measured against the source (SSIM and
 * PSNR, GET /api/admin/jobs/:id): the H.264 rungs, their HEVC copies and the rungs dropped for
 * looking no better than the one below.
 */
export function JobQuality(props: { jobId: string; sourceName: string }) {
  const api = useApi();
  const job = useQuery({
    queryKey: ['job', props.jobId],
    queryFn: () => api.call('adminGetJob', { path: { id: props.jobId } }),
  });
  if (job.isError) return <Notice tone="error">{problemText(job.error)}</Notice>;
  if (job.isPending) return <p className="ui-muted">Loading renditions…</p>;
  const rows = [...job.data.renditions].sort((a, b) => b.height - a.height || a.name.localeCompare(b.name));
  return (
    <table
      className="ui-table"
      aria-label={`Renditions of ${props.sourceName}`}
      data-job-quality={props.jobId}
    >
      <thead>
        <tr>
          <th scope="col">Rendition</th>
          <th scope="col">Resolution</th>
          <th scope="col">Codec</th>
          <th scope="col">Bit rate (average / peak)</th>
          <th scope="col">SSIM</th>
          <th scope="col">PSNR</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((rendition: Rendition) => (
          <tr key={rendition.name} data-rendition={rendition.name}>
            <td>{rendition.name}</td>
            <td>
              {rendition.width}×{rendition.height}
            </td>
            <td title={rendition.codecs}>{codecName(rendition.codecs)}</td>
            <td>
              {kbps(rendition.averageBandwidth)} / {kbps(rendition.bandwidth)}
            </td>
            {scores(rendition.quality).map((score, i) => (
              <td key={i}>{score}</td>
            ))}
          </tr>
        ))}
        {job.data.droppedRenditions.map((rendition) => (
          <tr key={rendition.name} data-rendition={rendition.name} className="ui-muted">
            <td>{rendition.name} (dropped)</td>
            <td>
              {rendition.width}×{rendition.height}
            </td>
            <td>—</td>
            <td>—</td>
            {scores(rendition.quality).map((score, i) => (
              <td key={i}>{score}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
