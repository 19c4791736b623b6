{{config materialized="table" tags="bronze"}}
-- A typed, faithful copy of amazon.product (messy category labels included: silver cleans them).
select
  p.product_id::text            as product_id,
  p.title::text                 as title,
  p.brand::text                 as brand,
  p.category::text              as category,
  p.price::numeric(10, 2)       as price,
  p.created_at::timestamptz     as created_at,
  {{batch_id}}::text            as _batch_id,
  now()                         as _loaded_at
from {{source "amazon" "product"}} p
