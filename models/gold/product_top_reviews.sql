{{config materialized="table" tags="gold,scoring" indexes="product_id+rank_in_product, product_id+review_side+rank_in_side"}}
-- What a product page shows, one row per review: the top N (var top_n_reviews) reviews of
-- every product by helpfulness score, and the top N of each side — positive (4-5 stars) and
-- critical (1-3 stars), as Amazon shows them side by side — with the product's title and
-- ratings, the review's title, an excerpt of its body cut at a word boundary, its score,
-- its content score (without votes) and both ranks. The most helpful positive review is
-- review_side = 'positive' and rank_in_side = 1 (also dim_product.top_positive_review_id).
select
  k.product_id,
  k.rank_in_product,
  k.review_side,
  k.rank_in_side,
  k.rank_in_product <= {{var "top_n_reviews"}}  as in_top_overall,
  p.title                                     as product_title,
  p.category,
  p.review_count                              as product_review_count,
  p.avg_rating                                as product_avg_rating,
  p.bayes_avg_rating                          as product_bayes_avg_rating,
  k.review_id,
  f.rating,
  r.title                                     as review_title,
  case
    when r.body is null then null
    when length(r.body) <= {{var "excerpt_chars"}} then regexp_replace(r.body, '\s+', ' ', 'g')
    else coalesce(substring(left(regexp_replace(r.body, '\s+', ' ', 'g'), {{var "excerpt_chars"}} + 1) from '^(.*\S)\s'),
                  left(r.body, {{var "excerpt_chars"}})) || '…'
  end                                         as body_excerpt,
  k.helpfulness_score,
  k.content_score,
  f.helpful_votes,
  f.total_votes,
  f.verified_purchase,
  f.image_count,
  f.sentiment_consistent,
  b.name                                      as reviewer_name,
  f.created_at                                as reviewed_at
from {{ref "review_rank"}} k
join {{ref "fact_reviews"}} f on f.review_id = k.review_id
join {{ref "silver_reviews"}} r on r.review_id = k.review_id
join {{ref "dim_product"}} p on p.product_id = k.product_id
left join {{ref "silver_buyers"}} b on b.buyer_id = f.buyer_id
where k.rank_in_product <= {{var "top_n_reviews"}} or k.rank_in_side <= {{var "top_n_reviews"}}
