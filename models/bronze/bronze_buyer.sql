{{config materialized="table" tags="bronze"}}
-- A typed, faithful copy of amazon.buyer: no cleaning here, only the batch lineage columns.
select
  b.buyer_id::bigint            as buyer_id,
  b.name::text                  as name,
  b.email::text                 as email,
  b.country::text               as country,
  b.created_at::timestamptz     as created_at,
  {{batch_id}}::text            as _batch_id,
  now()                         as _loaded_at
from {{source "amazon" "buyer"}} b
