{{config materialized="table" tags="silver,scoring" indexes="unique:review_id"}}
-- Text features of every valid review, extracted once for every consumer: counts of words,
-- sentences, paragraphs and images, and the AFINN-165 sentiment of title + body.
--
-- Sentiment: the text is split into lower-case words (word_tokens macro), each word is
-- looked up in the AFINN lexicon seed (valence -5..5) and the valences are summed; a word
-- right after a negator ("not good", "never disappointed") counts with the opposite sign.
-- The sum s is squashed into -1..1 as s / sqrt(s^2 + sentiment_alpha), as VADER does, so a
-- long rant does not grow without bound. The text agrees with the stars unless a 1-2 star
-- review reads clearly positive or a 4-5 star review clearly negative (|sentiment| above
-- sentiment_threshold); 3 stars are mixed by nature and always agree.
with hits as (
  -- Every review's words, unnested and hash-joined to the lexicon in one set-based pass
  -- (parallel on PostgreSQL). Each word comes zipped with the word before it, so a
  -- negation flips the valence without looking anything up per row.
  select
    w.review_id,
    case when t.previous in (
           'not', 'no', 'never', 'don''t', 'dont', 'doesn''t', 'didn''t', 'isn''t', 'wasn''t', 'aren''t',
           'weren''t', 'won''t', 'can''t', 'cannot', 'couldn''t', 'wouldn''t', 'shouldn''t', 'hardly', 'without',
           'don’t', 'doesn’t', 'didn’t', 'isn’t', 'wasn’t', 'aren’t', 'weren’t', 'won’t', 'can’t', 'couldn’t',
           'wouldn’t', 'shouldn’t')
         then -a.valence else a.valence end                        as valence
  from (
    select r.review_id, {{> word_tokens value="concat_ws(' ', r.title, r.body)"}} as words
    from {{ref "silver_reviews"}} r
  ) w
  cross join lateral unnest(w.words, array_prepend(null::text, w.words)) as t(word, previous)
  join {{ref "afinn"}} a on a.word = btrim(t.word, '.,!?;:"()')
),
sentiment_sums as (
  select h.review_id, count(*)::integer as afinn_word_count, sum(h.valence)::integer as afinn_score
  from hits h
  group by h.review_id
),
images as (
  select i.review_id, count(*) as image_count
  from {{ref "silver_review_images"}} i
  group by i.review_id
),
counted as (
  -- Silver text is whitespace-normalised (single spaces; paragraphs split by one or two
  -- line breaks), so words and paragraphs can be counted with plain string functions.
  select
    r.review_id,
    r.rating,
    case when r.title is null then 0
         else octet_length(r.title) - octet_length(replace(r.title, ' ', '')) + 1 end as title_word_count,
    coalesce(octet_length(r.body) - octet_length(replace(r.body, ' ', '')), 0) as body_space_count,
    coalesce(length(r.body), 0)                                     as body_char_count,
    -- sentence ends inside the text (terminator, then a space or line break) + the last one
    case when r.body is null then 0
         else regexp_count(r.body, '[.!?][ \n]') + 1
    end                                                             as sentence_count,
    case when r.body is null then 0
         else octet_length(r.body) - octet_length(replace(r.body, E'\n', ''))
              - (octet_length(r.body) - octet_length(replace(r.body, E'\n\n', ''))) / 2 + 1
    end                                                             as paragraph_count,
    coalesce(h.afinn_word_count, 0)                                 as afinn_word_count,
    coalesce(h.afinn_score, 0)                                      as afinn_score
  from {{ref "silver_reviews"}} r
  left join sentiment_sums h on h.review_id = r.review_id
  offset 0  -- computed once per row, however often the columns are used below
),
sentiment as (
  select
    c.*,
    c.afinn_score / sqrt(c.afinn_score::float8 * c.afinn_score + {{var "sentiment_alpha"}}) as sentiment
  from counted c
)
select
  s.review_id,
  s.title_word_count,
  -- words = spaces + line-break runs + 1 = spaces + paragraphs (silver text is normalised)
  case when s.paragraph_count = 0 then 0 else s.body_space_count + s.paragraph_count end::integer as body_word_count,
  s.body_char_count,
  s.sentence_count,
  s.paragraph_count,
  coalesce(i.image_count, 0)::integer                                 as image_count,
  s.afinn_word_count,
  s.afinn_score,
  round(s.sentiment::numeric, 4)                                      as sentiment_score,
  case
    when s.sentiment > {{var "sentiment_threshold"}} then 'positive'
    when s.sentiment < -{{var "sentiment_threshold"}} then 'negative'
    else 'neutral'
  end                                                                 as sentiment_label,
  not ((s.rating <= 2 and s.sentiment > {{var "sentiment_threshold"}})
       or (s.rating >= 4 and s.sentiment < -{{var "sentiment_threshold"}})) as sentiment_consistent
from sentiment s
left join images i on i.review_id = s.review_id
