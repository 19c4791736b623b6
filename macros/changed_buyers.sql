{{!--
  Inside {{#if (is_incremental)}}: the buyers whose silver_buyers row (name, email, country,
  created_at) is new, gone or different since the silver_buyers the model's published table
  was built from. One column, buyer_id.
  Usage: changed_buyers as ({{> changed_buyers}})
--}}
select x.buyer_id from (
  (select * from {{ref "silver_buyers"}} except select * from {{previous_ref "silver_buyers"}})
  union all
  (select * from {{previous_ref "silver_buyers"}} except select * from {{ref "silver_buyers"}})
) as x
