select
  r.review_id,
  r.product_id,
  r.rating,
  r.title,
  r.body,
  r.reviewer_name,
  r.verified_purchase,
  r.helpful_votes,
  r.total_votes,
  r.image_count,
  r.reviewed_at,
  r.review_side,
  r.helpfulness_score,
  r.content_score,
  r.rank_in_product,
  r.rank_in_side,
  r.votes_component, r.votes_points,
  r.substance_component, r.substance_points,
  r.verified_component, r.verified_points,
  r.images_component, r.images_points,
  r.recency_component, r.recency_points,
  r.sentiment_component, r.sentiment_points,
  r.agreement_component, r.agreement_points,
  r.consensus_component, r.consensus_points,
  -- Its votes and rating batch by batch (the review_history snapshot), oldest version first.
  (select json_agg(v order by v.version)
     from (select h.version, h.rating, h.previous_rating, h.helpful_votes, h.total_votes, h.helpful_share,
                  h.helpful_votes_gained, h.total_votes_gained, h.valid_from, h.valid_to, h.is_current
             from {{ref "review_votes_history"}} h
            where h.review_id = {{param "review_id"}}) v) as history
from {{ref "review_detail"}} r
where r.review_id = {{param "review_id"}}
