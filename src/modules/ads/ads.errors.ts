import { defineError } from '../../shared/errors.ts';

export const AdsNotOnPlan = defineError(
  'ADS_NOT_ON_PLAN',
  'forbidden',
  'This playback session’s plan carries no ads',
);
export const AdSessionNotFound = defineError(
  'ADS_SESSION_NOT_FOUND',
  'not_found',
  'No such playback session on this account',
);
export const AdBreakNotFound = defineError(
  'ADS_BREAK_NOT_FOUND',
  'not_found',
  'No such ad break in this session',
);
export const AdBeaconInvalid = defineError(
  'ADS_BEACON_INVALID',
  'forbidden',
  'The beacon’s signature does not match, or it has expired',
);
export const AdvertiserNotFound = defineError('ADS_ADVERTISER_NOT_FOUND', 'not_found', 'No such advertiser');
export const AdvertiserExists = defineError(
  'ADS_ADVERTISER_EXISTS',
  'conflict',
  'An advertiser has this name',
);
export const CampaignNotFound = defineError('ADS_CAMPAIGN_NOT_FOUND', 'not_found', 'No such campaign');
export const CreativeNotFound = defineError('ADS_CREATIVE_NOT_FOUND', 'not_found', 'No such creative');
export const CreativeTooLong = defineError(
  'ADS_CREATIVE_TOO_LONG',
  'invalid',
  'An ad creative may last at most two minutes',
);
export const CreativeAlreadyUploaded = defineError(
  'ADS_CREATIVE_ALREADY_UPLOADED',
  'conflict',
  'This creative has its video already',
);
export const CampaignFlightInvalid = defineError(
  'ADS_CAMPAIGN_FLIGHT_INVALID',
  'invalid',
  'A campaign must end after it starts',
);
export const CreativeFileTooLarge = defineError(
  'ADS_CREATIVE_FILE_TOO_LARGE',
  'too_large',
  'An ad creative’s video may be at most 200 MB',
);
export const CreativeVideoRequired = defineError(
  'ADS_CREATIVE_VIDEO_REQUIRED',
  'unsupported_media',
  'Send the video as the request body (video/* or application/octet-stream)',
);
export const CueDetectionNotFound = defineError(
  'ADS_CUE_DETECTION_NOT_FOUND',
  'not_found',
  'No cue point detection was asked for this movie or episode',
);
export const CueDetectionNoVideo = defineError(
  'ADS_CUE_DETECTION_NO_VIDEO',
  'conflict',
  'This movie or episode has no transcoded video to detect scene changes in',
);
