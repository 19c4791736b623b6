-- Every rejection is true to its reason: an invalid_rating really is outside 1..5, an
-- invalid_votes really has impossible votes, and a duplicate really repeats the earlier,
-- kept review of the same buyer and product with the same normalised text.
select r.review_id, r.rejection_reason, r.rejection_detail
from {{ref "rejected_reviews"}} r
left join {{ref "silver_reviews"}} o on o.review_id = r.duplicate_of
where (r.rejection_reason = 'invalid_rating' and r.rating between 1 and 5)
   or (r.rejection_reason = 'invalid_votes' and r.helpful_votes between 0 and r.total_votes)
   or (r.rejection_reason = 'duplicate' and (
         o.review_id is null
      or o.buyer_id <> r.buyer_id
      or o.product_id <> r.product_id
      or lower(coalesce(o.title, '')) <> lower(coalesce(r.title, ''))
      or lower(coalesce(o.body, '')) <> lower(coalesce(r.body, ''))
      or (o.created_at, o.review_id) > (r.created_at, r.review_id)))
