{{config materialized="table" tags="silver" indexes="unique:buyer_id"}}
-- Buyers with normalised text: names trimmed and single-spaced, e-mails lower-case,
-- country codes upper-case; blanks become NULL.
select
  b.buyer_id,
  coalesce({{> clean_text value="b.name"}}, '(unknown)') as name,
  lower({{> clean_text value="b.email"}})                 as email,
  upper({{> clean_text value="b.country"}})               as country,
  b.created_at
from {{ref "bronze_buyer"}} b
