/**
 * Word pools that carry the sentiment of generated reviews. Every word of a positive* or
 * negative* pool is an AFINN-165 entry of that sign (checked by sentiment-vocabulary.test.ts),
 * so a lexicon score computed in SQL over seeds/afinn.csv tracks the rating. The other pools
 * hold no AFINN words at all, so they add length without adding signal.
 */
export const WORD_POOLS = {
  positiveStrong: ['amazing', 'awesome', 'fantastic', 'wonderful', 'superb', 'outstanding', 'brilliant', 'excellent', 'perfect', 'stunning'],
  positiveMild: ['good', 'nice', 'great', 'solid', 'reliable', 'comfortable', 'useful', 'pleasant', 'durable', 'effective', 'beautiful', 'lovely', 'impressive', 'fine', 'affordable'],
  positiveVerbs: ['love', 'enjoy', 'recommend', 'appreciate'],
  positiveFeelings: ['happy', 'pleased', 'delighted', 'thrilled', 'impressed', 'satisfied', 'excited', 'glad'],
  negativeStrong: ['terrible', 'awful', 'horrible', 'pathetic', 'unacceptable', 'ridiculous', 'disgusting', 'useless', 'worthless', 'defective', 'lousy'],
  negativeMild: ['bad', 'poor', 'disappointing', 'weak', 'noisy', 'ugly', 'uncomfortable', 'difficult', 'annoying', 'frustrating', 'broken', 'inferior', 'boring', 'misleading', 'damaged'],
  negativeNouns: ['waste', 'disaster', 'disappointment', 'scam', 'mess', 'failure', 'headache', 'problem'],
  negativeVerbs: ['hate', 'regret', 'dislike'],
  negativeEvents: ['broke', 'failed', 'stopped', 'died', 'leaked'],
  negativeFeelings: ['upset', 'disappointed', 'frustrated', 'angry', 'unhappy', 'sad', 'furious'],
  persons: ['wife', 'husband', 'son', 'daughter', 'mom', 'dad', 'sister', 'brother', 'roommate', 'coworker', 'neighbor', 'grandmother'],
  usages: ['at work', 'at home', 'on my commute', 'in the kitchen', 'for travel', 'every morning', 'on weekends', 'in the garage', 'at the office', 'outdoors'],
  periods: ['days', 'weeks', 'months'],
  parts: ['battery', 'handle', 'lid', 'strap', 'button', 'cable', 'zipper', 'finish', 'stitching', 'instructions', 'packaging', 'motor', 'screen', 'charging port', 'material'],
  weekdays: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
  colors: ['black', 'white', 'blue', 'beige', 'green', 'navy', 'silver'],
  claims: ['premium materials', 'heavy duty', 'waterproof', 'lasts for years', 'professional grade', 'military grade'],
} as const satisfies Record<string, readonly string[]>;

export type WordPool = keyof typeof WORD_POOLS;
