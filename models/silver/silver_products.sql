{{config materialized="table" tags="silver" indexes="unique:product_id"}}
-- Products with one canonical category label per category. Sellers type labels as they
-- like (" electronics", "ELECTRONICS ", "home &  kitchen"); they are grouped by a key
-- (trimmed, single-spaced, lower-case) and each key gets the spelling most sellers use,
-- preferring a mixed-case spelling over an all-lower or all-upper one.
with cleaned as (
  select
    p.product_id,
    coalesce({{> clean_text value="p.title"}}, p.product_id) as title,
    {{> clean_text value="p.brand"}}                          as brand,
    coalesce({{> clean_text value="p.category"}}, 'Uncategorized') as category_spelling,
    p.price,
    p.created_at
  from {{ref "bronze_product"}} p
),
spellings as (
  select lower(category_spelling) as category_key, category_spelling, count(*) as products
  from cleaned
  group by 1, 2
),
canonical as (
  select distinct on (category_key) category_key, category_spelling as category
  from spellings
  order by category_key,
           (category_spelling <> lower(category_spelling) and category_spelling <> upper(category_spelling)) desc,
           products desc,
           category_spelling
)
select
  c.product_id,
  c.title,
  c.brand,
  k.category,
  k.category_key,
  c.price,
  c.created_at
from cleaned c
join canonical k on k.category_key = lower(c.category_spelling)
