-- Where a play or finish was watched from (ISO 3166 alpha-2, from the geo header; null when the
-- deployment has none), so trending can be counted per region.
alter table recommendation_signals add column country text;
