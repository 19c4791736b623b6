{{!--
  The helpful share of a review's votes as a Bayesian posterior mean: its votes plus
  `strength` virtual votes at the prior share `mean` (a Beta prior). An unvoted review gets the
  prior, not 0; few votes move it a little, many votes decide. With the fitted prior
  (docs/scoring.md) 1/1 stays below 90/100, because `strength` is large enough:
  (1 + s·m)/(1 + s) < (90 + s·m)/(100 + s) holds for every s > 10 / (89 - 99·m).
  Usage: {{> votes_posterior_mean pos="r.helpful_votes" n="r.total_votes" mean=(var "votes_prior_mean") strength=(var "votes_prior_strength")}}
--}}
((({{pos}})::float8 + ({{strength}})::float8 * ({{mean}})::float8) / (({{n}})::float8 + ({{strength}})::float8))
