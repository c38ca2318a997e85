-- A download is one rendition of one package on one device, for good: downloading the same again
-- refreshes it, another rendition is another download (the stored files must keep decrypting).
create unique index downloads_one_live_per_rendition
  on downloads (device_id, item_id, asset_id, max_height) where returned_at is null;
