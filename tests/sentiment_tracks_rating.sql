{{config severity="warn"}}
-- A sanity check of the lexicon sentiment on the whole data set: on average, 1-2 star
-- reviews must read more negative than 4-5 star reviews. A warning, not an error: it
-- judges the lexicon and the data, not a single row.
select low.avg_sentiment as low_star_sentiment, high.avg_sentiment as high_star_sentiment
from (select avg(sentiment_score) as avg_sentiment from {{ref "fact_reviews"}} where rating <= 2) low,
     (select avg(sentiment_score) as avg_sentiment from {{ref "fact_reviews"}} where rating >= 4) high
where low.avg_sentiment >= high.avg_sentiment
