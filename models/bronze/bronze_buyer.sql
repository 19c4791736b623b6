{{config materialized="table"}}
select b.*, {{batch_id}}::text as _batch_id, now() as _loaded_at
from {{source "amazon" "buyer"}} b
