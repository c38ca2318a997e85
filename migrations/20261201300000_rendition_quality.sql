-- The media pipeline's quality step: each video rendition's SSIM (at most 1) and PSNR (dB) against its
-- source, over `quality_frames` sampled frames. Null for packages made before the step.
alter table video_renditions add column ssim double precision;
alter table video_renditions add column psnr double precision;
alter table video_renditions add column quality_frames integer;
alter table video_renditions add constraint video_renditions_ssim_range check (ssim between -1 and 1);
