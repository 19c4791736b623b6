-- Each order is a position column of review_detail with its own index, so a page is one
-- index range scan whatever its depth: the CASEs fold away once the sort is known.
select *
from (
  select
    case {{param "sort"}}
      when 'recent' then r.rank_recent
      when 'helpful' then r.rank_in_product
      else r.rank_in_side
    end as position,
    r.review_id,
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
    r.consensus_component, r.consensus_points
  from {{ref "review_detail"}} r
  where r.product_id = {{param "product_id"}}
    and (r.review_side = {{param "sort"}} or {{param "sort"}} in ('helpful', 'recent'))
) page
where page.position > {{cursor}}
order by page.position
limit {{param "limit"}}
