-- The catalogue is small next to the reviews: the filter scans dim_product and numbers the
-- matches, so a cursor is a position in this search.
select *
from (
  select
    row_number() over (order by p.review_count desc, p.product_id) as position,
    p.product_id,
    p.title,
    p.brand,
    p.category,
    p.price,
    p.review_count,
    p.avg_rating,
    p.bayes_avg_rating,
    p.top_positive_review_id,
    p.top_critical_review_id
  from {{ref "dim_product"}} p
  where ({{param "q"}} is null
         or strpos(lower(p.title), lower({{param "q"}})) > 0
         or strpos(lower(coalesce(p.brand, '')), lower({{param "q"}})) > 0)
    and ({{param "category"}} is null or p.category = {{param "category"}})
) found
where found.position > {{cursor}}
order by found.position
limit {{param "limit"}}
