{{config materialized="table" tags="gold" indexes="unique:product_id"}}
-- One row per product (also those without a valid review yet): how many valid reviews it
-- has, their plain and Bayesian average rating, the share of verified purchases, its most
-- helpful review, and its most helpful positive (4-5 stars) and critical (1-3 stars) review,
-- the two a product page shows side by side.
--
-- Bayesian average = (C * m + sum of ratings) / (C + n): m is the mean rating of all valid
-- reviews, C = bayes_prior_weight, i.e. every product starts with C virtual reviews at the
-- global mean, so one 5-star review does not put a product above one with 500 at 4.8.
with stats as (
  select
    f.product_id,
    count(*)                                          as review_count,
    sum(f.rating)                                     as rating_sum,
    avg(f.rating)                                     as avg_rating,
    avg(case when f.verified_purchase then 1.0 else 0.0 end) as verified_share,
    avg(k.helpfulness_score)                          as avg_helpfulness_score,
    count(*) filter (where f.rating = 1)              as ratings_1,
    count(*) filter (where f.rating = 2)              as ratings_2,
    count(*) filter (where f.rating = 3)              as ratings_3,
    count(*) filter (where f.rating = 4)              as ratings_4,
    count(*) filter (where f.rating = 5)              as ratings_5,
    max(f.created_at)                                 as last_review_at
  from {{ref "fact_reviews"}} f
  join {{ref "review_rank"}} k on k.review_id = f.review_id
  group by f.product_id
),
prior as (
  select coalesce(avg(f.rating), 3)::numeric as global_mean from {{ref "fact_reviews"}} f
)
select
  p.product_id,
  p.title,
  p.brand,
  p.category,
  p.category_key,
  p.price::numeric(10,2)                                                  as price,
  coalesce(s.review_count, 0)::integer                                    as review_count,
  s.avg_rating::numeric(9,2)                                              as avg_rating,
  (({{var "bayes_prior_weight"}} * g.global_mean + coalesce(s.rating_sum, 0))
        / ({{var "bayes_prior_weight"}} + coalesce(s.review_count, 0)))::numeric(9,2) as bayes_avg_rating,
  s.verified_share::numeric(9,4)                                          as verified_share,
  s.avg_helpfulness_score::numeric(9,2)                                   as avg_helpfulness_score,
  coalesce(s.ratings_1, 0)::integer                                       as ratings_1,
  coalesce(s.ratings_2, 0)::integer                                       as ratings_2,
  coalesce(s.ratings_3, 0)::integer                                       as ratings_3,
  coalesce(s.ratings_4, 0)::integer                                       as ratings_4,
  coalesce(s.ratings_5, 0)::integer                                       as ratings_5,
  r.review_id                                                             as most_helpful_review_id,
  tp.review_id                                                            as top_positive_review_id,
  tc.review_id                                                            as top_critical_review_id,
  s.last_review_at
from {{ref "silver_products"}} p
cross join prior g
left join stats s on s.product_id = p.product_id
left join {{ref "review_rank"}} r on r.product_id = p.product_id and r.rank_in_product = 1
left join {{ref "review_rank"}} tp on tp.product_id = p.product_id and tp.review_side = 'positive' and tp.rank_in_side = 1
left join {{ref "review_rank"}} tc on tc.product_id = p.product_id and tc.review_side = 'critical' and tc.rank_in_side = 1
