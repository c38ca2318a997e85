import { JobTable } from './job-table.tsx';

/** Every transcode job, newest first, with live progress. */
export default function Jobs() {
  return (
    <>
      <h1>Transcoding</h1>
      <JobTable caption="Transcoding jobs" linkItems />
    </>
  );
}
