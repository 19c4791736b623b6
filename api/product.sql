select
  p.product_id,
  p.title,
  p.brand,
  p.category,
  p.price,
  p.review_count,
  p.avg_rating,
  p.bayes_avg_rating,
  p.verified_share,
  p.avg_helpfulness_score,
  p.ratings_1,
  p.ratings_2,
  p.ratings_3,
  p.ratings_4,
  p.ratings_5,
  p.most_helpful_review_id,
  p.top_positive_review_id,
  p.top_critical_review_id,
  p.last_review_at
from {{ref "dim_product"}} p
where p.product_id = {{param "product_id"}}
