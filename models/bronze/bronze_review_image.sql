{{config materialized="table" tags="bronze"}}
-- A typed, faithful copy of amazon.review_image.
select
  i.image_id::bigint            as image_id,
  i.review_id::bigint           as review_id,
  i.url::text                   as url,
  i.width::integer              as width,
  i.height::integer             as height,
  i.created_at::timestamptz     as created_at,
  {{batch_id}}::text            as _batch_id,
  now()                         as _loaded_at
from {{source "amazon" "review_image"}} i
