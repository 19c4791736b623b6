{{!--
  The negators, as a SQL list of lower-case words (curly apostrophes are straightened before
  the lookup). A lexicon word with one of them among the three words before it counts with
  the opposite sign, scaled (VADER's rule). bench/scoring/tokens.ts holds the same list
  for training; spec/scoring-harness.test.ts checks that the two agree.
  Usage: where w in ({{> negators}})
--}}
'not', 'no', 'never', 'nor', 'neither', 'nothing', 'none', 'nobody', 'without', 'hardly', 'cannot', 'don''t', 'dont', 'doesn''t', 'doesnt', 'didn''t', 'didnt', 'isn''t', 'isnt', 'wasn''t', 'wasnt', 'aren''t', 'arent', 'weren''t', 'werent', 'won''t', 'wont', 'can''t', 'cant', 'couldn''t', 'couldnt', 'wouldn''t', 'wouldnt', 'shouldn''t', 'shouldnt', 'haven''t', 'havent', 'hasn''t', 'hasnt', 'ain''t', 'aint'
