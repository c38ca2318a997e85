-- A key made by another key: its life is bounded by its parent's (revoking the parent revokes
-- it), and `created_by` names the person ultimately responsible for both.
alter table api_keys add column parent_key_id uuid references api_keys (id) on delete set null;
create index api_keys_parent_key_idx on api_keys (parent_key_id);
create index api_keys_created_by_idx on api_keys (created_by);
