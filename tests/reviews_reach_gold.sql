-- Nothing disappears between the layers: every bronze review is either valid (silver) or
-- rejected, and every valid silver review is in fact_reviews (and nothing else is).
with counts as (
  select
    (select count(*) from {{ref "bronze_review"}})    as bronze,
    (select count(*) from {{ref "silver_reviews"}})   as silver,
    (select count(*) from {{ref "rejected_reviews"}}) as rejected,
    (select count(*) from {{ref "fact_reviews"}})     as gold
)
select 'bronze <> silver + rejected' as problem,
       format('bronze %s, silver %s, rejected %s', bronze, silver, rejected) as detail
from counts where bronze <> silver + rejected
union all
select 'silver <> gold', format('silver %s, fact_reviews %s', silver, gold)
from counts where silver <> gold
union all
(select case when f.review_id is null then 'valid review missing from fact_reviews'
             else 'fact_reviews row without a valid review' end,
        coalesce(s.review_id, f.review_id)::text
 from {{ref "silver_reviews"}} s
 full join {{ref "fact_reviews"}} f on f.review_id = s.review_id
 where s.review_id is null or f.review_id is null
 limit 100)
